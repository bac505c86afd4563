"""The project: configuration, cache, builder, watch, serve and the starter."""
