"""The Textual shell: app, screens and widgets. Only this package imports Textual."""
