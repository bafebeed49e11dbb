"""Sync: page the account's orders into its encrypted store, behind the isolation guards."""
