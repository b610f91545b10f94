"""Drawers: the views that turn layer models into VTK props (DESIGN.md section 2.5).

A layer (:mod:`brainview.layers`) is a model: it validates, loads and
computes, and never imports the renderer. For each figure that shows it, a
drawer of this package makes the layer's VTK props and keeps them in sync by
observing the layer's traits; one layer shown in two figures has two drawers.
The kind registry (:mod:`brainview.layers.registry`) names each kind's drawer.
"""
