"""Finance plugin: financial reports generated from facts, every number faithful."""
