"""The dask backend: actions as Dask futures."""
