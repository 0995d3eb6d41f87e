"""Widgets of the practice screen: one answer widget per question kind."""
