"""PySide6 widgets: windows, dialogs, item models, workers. The only layer using QtWidgets."""
