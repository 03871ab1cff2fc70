"""Pages, one module per area. Thin: a selector reads (scoped to the viewer), a service writes.

- `home`: each role's starting page.
- `journey`: the hire's items and everything a hire does on them (mounted at /journey/).
"""
