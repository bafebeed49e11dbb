"""Tests of the printing render side: raster, encoders, decoders, documents, virtual printer."""
