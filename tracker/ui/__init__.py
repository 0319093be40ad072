"""The terminal interface (Textual). Only ``tracker.cli.tui_cmd`` imports it, lazily."""
