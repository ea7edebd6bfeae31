"""Each journey's evidence: its documents, templates and machine rules, one subpackage per journey.

The generic package builder, renderer and review know no journey; the composition root hands them the
declarations (`api/journeys.py` lists them)."""
