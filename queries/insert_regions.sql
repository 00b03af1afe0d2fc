INSERT INTO regions (region, zone, sort_order, scale) SELECT region, zone, sort_order, scale FROM incoming_regions
