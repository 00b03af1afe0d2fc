"""Reading and validating the monthly workbooks."""
