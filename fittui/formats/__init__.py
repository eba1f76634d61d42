"""Getting data in and out: import and export, one module per format family."""
