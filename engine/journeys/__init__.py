"""The journeys' declarations, one subpackage each (ARCHITECTURE decision 11); `api/journeys.py` lists
the ones FieldBank runs. Generic modules here: the declaration, the registry, the approval context."""
