"""The packages of the wheel, with config/ installed as the data package `letan_data` (robot/paths.py reads it
through importlib.resources). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["robot*", "drivers*", "dialogs*", "simulator*", "letan*"]), "letan_data"],
    package_dir={"letan_data": "config"},
)
