"""Everything that touches SpiffWorkflow lives in this package."""
