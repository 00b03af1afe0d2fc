"""Briefing exports: PNG images, the slide deck and the Excel workbook of a month."""
