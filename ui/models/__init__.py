"""Qt item models over the account's store: lazy, cached, checked with qtmodeltester."""
