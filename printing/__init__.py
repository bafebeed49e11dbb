"""Printing: PDF raster, printer-language encoders, transports, queue. No Qt widgets."""
