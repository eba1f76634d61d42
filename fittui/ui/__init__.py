"""The Textual app: screens, widgets and the app that wires them around one store."""
