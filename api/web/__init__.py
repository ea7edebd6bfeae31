"""Server-rendered pages (Jinja2 + htmx) for the tablet, phone and desk."""
