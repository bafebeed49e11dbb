"""The outbox: changes made here (despatch, new orders, cancel) queued and replayed exactly once."""
