"""Where brainview meets other tools: Jupyter (inline images, the interactive view)."""
