"""Pure computation: images and arrays in, arrays and pyvista datasets in world mm out.

Nothing here renders: no ``pyvista.plotting``, no layers, no figure, no Qt.
"""
