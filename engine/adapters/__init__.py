"""External-system adapters: ports (`ports.py`), sandbox simulators (`sandbox/`), later HTTP clients."""
