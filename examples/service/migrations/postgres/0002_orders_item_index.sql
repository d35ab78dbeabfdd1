CREATE INDEX orders_item ON orders (item);
