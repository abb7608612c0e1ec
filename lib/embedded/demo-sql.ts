/** The demo source: a small shop with the relation kinds and types a real source has. */
export const DEMO_SCHEMA_SQL = `
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  country char(2),
  tags text[],
  profile jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
  id serial PRIMARY KEY,
  sku uuid NOT NULL DEFAULT gen_random_uuid(),
  name varchar(120) NOT NULL,
  price numeric(12,2) NOT NULL,
  weight_kg real,
  dimensions_cm integer[],
  description text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers(id),
  status order_status NOT NULL DEFAULT 'pending',
  total numeric(14,2) NOT NULL DEFAULT 0,
  shipping_address json,
  ordered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
  order_id bigint NOT NULL REFERENCES orders(id),
  line_no smallint NOT NULL,
  product_id integer NOT NULL REFERENCES products(id),
  quantity integer NOT NULL,
  unit_price numeric(12,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- No primary key: appended at the destination.
CREATE TABLE events (
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL,
  customer_id integer,
  payload json
);

CREATE TABLE page_views (
  id bigint NOT NULL,
  viewed_at date NOT NULL,
  path text NOT NULL,
  duration interval,
  PRIMARY KEY (id, viewed_at)
) PARTITION BY RANGE (viewed_at);
CREATE TABLE page_views_2025 PARTITION OF page_views FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE page_views_2026 PARTITION OF page_views FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

CREATE VIEW customer_order_totals AS
  SELECT c.id AS customer_id, c.email, count(o.id) AS orders, coalesce(sum(o.total), 0) AS revenue
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id, c.email;

INSERT INTO customers (email, full_name, country, tags, profile, created_at)
SELECT 'customer' || g || '@example.com', 'Customer ' || g, (ARRAY['US','DE','FR','JP','BR'])[1 + g % 5],
       ARRAY['tag' || (g % 7), 'tag' || (g % 3)],
       jsonb_build_object('newsletter', g % 2 = 0, 'score', g * 1.5),
       timestamptz '2025-01-01 00:00:00+00' + g * interval '37 minutes'
FROM generate_series(1, 1000) g;

INSERT INTO products (name, price, weight_kg, dimensions_cm, description)
SELECT 'Product ' || g, round((g * 3.17)::numeric, 2), g * 0.25, ARRAY[g % 50 + 1, g % 30 + 1, g % 20 + 1],
       'Description of product ' || g
FROM generate_series(1, 200) g;
-- One large value, stored out of line (TOAST), as real catalogs have.
UPDATE products SET description = repeat('A long, detailed product description. ', 4000) WHERE id = 1;

INSERT INTO orders (customer_id, status, total, shipping_address, ordered_at)
SELECT 1 + g % 1000, (ARRAY['pending','paid','shipped','cancelled']::order_status[])[1 + g % 4], 0,
       json_build_object('city', 'City ' || (g % 40), 'zip', lpad((g % 99999)::text, 5, '0')),
       timestamptz '2025-06-01 00:00:00+00' + g * interval '11 minutes'
FROM generate_series(1, 3000) g;

INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price)
SELECT o.id, l, 1 + (o.id * l) % 200, 1 + (o.id + l) % 5, p.price
FROM orders o CROSS JOIN generate_series(1, 2) l JOIN products p ON p.id = 1 + (o.id * l) % 200;
UPDATE orders o SET total = s.total FROM (SELECT order_id, sum(quantity * unit_price) AS total FROM order_items GROUP BY order_id) s WHERE s.order_id = o.id;

INSERT INTO events (occurred_at, kind, customer_id, payload)
SELECT timestamptz '2025-06-01 00:00:00+00' + g * interval '5 minutes', (ARRAY['login','view','cart','checkout'])[1 + g % 4], 1 + g % 1000,
       json_build_object('session', md5(g::text))
FROM generate_series(1, 2000) g;

INSERT INTO page_views (id, viewed_at, path, duration)
SELECT g, date '2025-10-01' + (g % 200), '/products/' || (g % 200), make_interval(secs => g % 300)
FROM generate_series(1, 1500) g;

ANALYZE;
`;

/** The grants seed 001 prescribes for the replication user. */
export function demoGrantsSql(user: string, database: string): string {
  const u = `"${user.replace(/"/g, '""')}"`;
  const d = `"${database.replace(/"/g, '""')}"`;
  return `
GRANT CONNECT ON DATABASE ${d} TO ${u};
GRANT USAGE ON SCHEMA public TO ${u};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${u};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${u};
ALTER ROLE ${u} REPLICATION;
`;
}
