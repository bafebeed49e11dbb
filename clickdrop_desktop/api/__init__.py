"""The Click & Drop API: typed models, typed errors and the one client that owns all HTTP."""
