"""Streamlit-specific helpers shared by the dashboard's pages.

Pages import from here and from the plain `rectlens` modules; they never
open the database or run SQL themselves.
"""
