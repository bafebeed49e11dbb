"""Dialogs: sign-in, settings, isolation alert, and the patchable factory that opens them."""
