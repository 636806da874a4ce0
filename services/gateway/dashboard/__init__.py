"""The NiceGUI dashboard: one module per page over a shared frame and theme."""
