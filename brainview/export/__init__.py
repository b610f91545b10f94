"""Writers of a figure to files users keep and share (HTML, movies, scene files)."""
