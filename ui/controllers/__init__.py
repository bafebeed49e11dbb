"""The app's behaviour: each controller turns user intents into service calls on workers."""
