"""The version of brainview, in a module that imports nothing.

Modules below the package namespace read it from here: importing
``brainview`` itself from them would reach every layer above.
"""

__version__ = "0.1.0"
