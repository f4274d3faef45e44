"""Modal screens: declare, pick, prompt, help."""
