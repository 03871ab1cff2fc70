"""Reads of people's onboarding data, one module per area, each scoped to the viewer.

- `journey`: a hire's enrollment, home and item pages (`enrollment_for_user` raises 404 for
  anyone who may not see it).
"""
