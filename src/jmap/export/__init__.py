"""Export: PNG and PDF (raster, cairosvg), bundled fonts and right-to-left shaping."""
