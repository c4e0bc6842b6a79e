"""The live view (Mesa's SolaraViz): the experiment's own models, stepped in a browser."""
