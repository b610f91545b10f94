"""The 3-D drawer of :class:`~brainview.layers.Atlas`: every region in one actor.

The mapper colours the shown mesh's ``"region_index"`` cell array (each
triangle's region number 0..n-1) through a lookup table of the model's
:attr:`~brainview.layers.Atlas.region_colors`. A region subset swaps the
mapper's input, new colours refill the table, opacity is the actor's: none
of them re-extracts geometry.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Atlas
>>> data = np.zeros((8, 6, 6), np.uint8); data[1:4, 1:5, 1:5], data[4:7, 1:5, 1:5] = 1, 2
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Atlas((data, np.eye(4)), smooth=0))
>>> fig.drawer(layer).actor.GetMapper().GetLookupTable().GetNumberOfTableValues()
2
>>> layer.colors = {1: "red"}
>>> fig.drawer(layer).actor.GetMapper().GetLookupTable().GetTableValue(0)
(1.0, 0.0, 0.0, 1.0)
>>> fig.close()
"""

from __future__ import annotations

from vtkmodules.util.numpy_support import numpy_to_vtk

from .. import _vtk
from .drawer import Drawer


class AtlasDrawer(Drawer):
    """A vtkActor showing the model's ``shown_mesh`` coloured by region through one lookup table."""

    observes = ("regions", "colors", "opacity")

    def build(self):
        self._lut = _vtk.vtkLookupTable()
        mapper = _vtk.vtkPolyDataMapper()
        mapper.SetLookupTable(self._lut)
        mapper.SetScalarModeToUseCellFieldData()
        mapper.SelectColorArray("region_index")
        mapper.SetColorModeToMapScalars()
        mapper.UseLookupTableScalarRangeOff()
        mapper.ScalarVisibilityOn()
        self._mapper = mapper
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        prop = actor.GetProperty()
        prop.SetSpecular(0.15)
        prop.SetSpecularPower(20)
        return [actor]

    def sync(self, name):
        layer = self.layer
        if name in (None, "colors"):
            self._fill_table()
        if name in (None, "regions"):
            self._mapper.SetInputData(layer.shown_mesh)
            self._mapper.Modified()
        self.actor.GetProperty().SetOpacity(layer.opacity)

    def _fill_table(self):
        """One table entry per region (not per label value: Allen CCF's ids reach 614454277)."""
        table = self.layer.region_colors
        n_regions = len(table)
        # Region number k maps to entry floor(k + 0.5) = k.
        self._mapper.SetScalarRange(-0.5, n_regions - 0.5)
        self._lut.SetNumberOfTableValues(n_regions)
        self._lut.SetTable(numpy_to_vtk(table, deep=True))
        self._lut.SetRange(-0.5, n_regions - 0.5)
        self._lut.Modified()
