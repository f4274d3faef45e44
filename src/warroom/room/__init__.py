"""The live incident session without Textual: what a war room screen does, not how it is drawn."""
