"""letan's data files: this folder is installed as the package `letan_data` (see setup.py and pyproject.toml).

Found at run time through importlib.resources (robot/paths.py), from a checkout or an installed wheel alike.
There is no code here.
"""
