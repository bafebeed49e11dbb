"""Small hand-written word lists for the sandbox's seeded UK orders (names, places, products)."""

from __future__ import annotations

# fmt: off
FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Muhammad", "Thomas",
    "Oscar", "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Freddie", "Archie",
    "Ethan", "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur",
    "Lucas", "Mohammed", "Logan", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia",
    "Grace", "Mia", "Poppy", "Ella", "Lily", "Evie", "Isabella", "Sophie", "Ivy", "Freya",
    "Harper", "Willow", "Charlotte", "Jessica", "Florence", "Daisy", "Rosie", "Chloe",
    "Priya", "Aisha", "Siobhan", "Niamh", "Eilidh", "Rhiannon", "Gareth", "Dylan", "Morgan",
    "Callum", "Ewan", "Fraser", "Hamish", "Bethan", "Cerys", "Aoife", "Tomasz", "Agnieszka",
)

LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason",
    "Mitchell", "Rose", "Davis", "Rodriguez", "Cox", "Alexander", "Morgan", "Moore", "Hughes",
    "Edwards", "Hill", "Turner", "Cooper", "Ward", "Morris", "King", "Watson", "Harrison",
    "Morrison", "Campbell", "Stewart", "MacDonald", "O'Brien", "Murphy", "Kelly", "Begum",
    "Ahmed", "Singh", "Kaur", "Nowak", "Kowalski", "Fitzgerald", "Llewellyn", "Pritchard",
    "Sutherland", "Ferguson", "Baxter", "Atkinson", "Ashworth", "Holloway", "Whitfield",
)

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Mx")

COMPANY_WORDS = (
    "Acorn", "Albion", "Anchor", "Ashdown", "Beacon", "Bramble", "Bridgewater", "Cobalt",
    "Copperfield", "Crown", "Dovecote", "Elmstead", "Fenwick", "Foxglove", "Greystone",
    "Harbour", "Heather", "Highgate", "Ironbridge", "Juniper", "Kingfisher", "Lark",
    "Meadowbank", "Millstone", "Northgate", "Oakwood", "Pennine", "Quayside", "Redbrick",
    "Riverside", "Saltire", "Sandstone", "Thistle", "Thornbury", "Wessex", "Willowbrook",
)

COMPANY_KINDS = (
    "Ltd", "Limited", "& Sons", "Trading Ltd", "Supplies Ltd", "Workshop", "Studio",
    "Engineering Ltd", "Garden Centre", "Pharmacy", "Books", "Cycles", "Outdoor Ltd", "LLP",
)

STREET_NAMES = (
    "High", "Station", "Church", "Victoria", "Park", "Mill", "Main", "School", "Queen's",
    "King's", "Manor", "Albert", "Grange", "Chapel", "Springfield", "Windsor", "Highfield",
    "Orchard", "Meadow", "York", "Richmond", "Beech", "Oak", "Cedar", "Willow", "Elm",
    "Green", "North", "South", "West", "Bridge", "Market", "Castle", "Abbey", "Priory",
    "Cromwell", "Nelson", "Wellington", "Stanley", "Clarendon", "Belmont", "Hawthorn",
)

STREET_KINDS = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Gardens",
    "Place", "Grove", "Terrace", "Mews", "Rise", "Walk", "Court", "Hill", "Row", "Square",
)

BUILDING_NAMES = (
    "Flat", "Apartment", "Unit", "Suite", "The Old Rectory", "Rose Cottage", "Ivy House",
    "The Barn", "Mill House", "Orchard View", "1st Floor", "Ground Floor",
)

# (post town, county, postcode area, highest district number in that area used here)
TOWNS = (
    ("LONDON", "", "SW", 20), ("LONDON", "", "N", 22), ("LONDON", "", "E", 18),
    ("MANCHESTER", "Greater Manchester", "M", 40), ("BIRMINGHAM", "West Midlands", "B", 99),
    ("LEEDS", "West Yorkshire", "LS", 29), ("SHEFFIELD", "South Yorkshire", "S", 36),
    ("BRISTOL", "", "BS", 49), ("LIVERPOOL", "Merseyside", "L", 38),
    ("NEWCASTLE UPON TYNE", "Tyne and Wear", "NE", 13), ("NOTTINGHAM", "Nottinghamshire", "NG", 25),
    ("LEICESTER", "Leicestershire", "LE", 19), ("CARDIFF", "South Glamorgan", "CF", 24),
    ("SWANSEA", "West Glamorgan", "SA", 9), ("EDINBURGH", "Midlothian", "EH", 17),
    ("GLASGOW", "Lanarkshire", "G", 46), ("ABERDEEN", "Aberdeenshire", "AB", 25),
    ("INVERNESS", "Inverness-shire", "IV", 3), ("BELFAST", "County Antrim", "BT", 17),
    ("NORWICH", "Norfolk", "NR", 14), ("CAMBRIDGE", "Cambridgeshire", "CB", 5),
    ("OXFORD", "Oxfordshire", "OX", 4), ("BRIGHTON", "East Sussex", "BN", 3),
    ("EXETER", "Devon", "EX", 6), ("PLYMOUTH", "Devon", "PL", 9), ("TRURO", "Cornwall", "TR", 4),
    ("YORK", "North Yorkshire", "YO", 32), ("HULL", "East Yorkshire", "HU", 17),
    ("CARLISLE", "Cumbria", "CA", 8), ("LINCOLN", "Lincolnshire", "LN", 6),
    ("SOUTHAMPTON", "Hampshire", "SO", 19), ("PORTSMOUTH", "Hampshire", "PO", 9),
    ("READING", "Berkshire", "RG", 10), ("BATH", "Somerset", "BA", 2),
    ("STOKE-ON-TRENT", "Staffordshire", "ST", 12), ("DERBY", "Derbyshire", "DE", 24),
    ("PRESTON", "Lancashire", "PR", 9), ("KIRKWALL", "Orkney", "KW", 15),
    ("LERWICK", "Shetland", "ZE", 2), ("DOUGLAS", "Isle of Man", "IM", 4),
)

# Inward-code letters: the UK inward unit never uses C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# International destinations (countryCode, city, postcode): these need customs (CN22/CN23).
INTERNATIONAL = (
    ("FR", "Paris", "75011"), ("DE", "Berlin", "10115"), ("IE", "Dublin", "D02 X285"),
    ("US", "New York, NY", "10001"), ("NL", "Amsterdam", "1012 AB"), ("ES", "Madrid", "28013"),
    ("AU", "Sydney NSW", "2000"), ("CA", "Toronto ON", "M5V 2T6"), ("JP", "Tokyo", "100-0005"),
)

COUNTRY_NAMES = {
    "FR": "FRANCE", "DE": "GERMANY", "IE": "IRELAND", "US": "UNITED STATES", "NL": "NETHERLANDS",
    "ES": "SPAIN", "AU": "AUSTRALIA", "CA": "CANADA", "JP": "JAPAN", "RU": "RUSSIA",
}

PRODUCTS = (
    # (name, SKU stem, unit price in pence, unit weight g, HS customs code)
    ("Hand-poured soy candle, fig & cassis", "CDL-FIG", 1450, 320, "3406000000"),
    ("Merino wool beanie, charcoal", "BNE-CHR", 1899, 90, "6505009000"),
    ("Ceramic espresso cup, speckled", "CUP-ESP", 1200, 180, "6912002390"),
    ("A5 dot-grid notebook, recycled", "NTB-A5D", 850, 210, "4820102000"),
    ("Enamel pin, kingfisher", "PIN-KFS", 600, 15, "7117190000"),
    ("Organic cotton tote bag", "TOT-ORG", 995, 120, "4202221000"),
    ("Bike chain lube 100ml", "LUB-100", 799, 130, "3403990000"),
    ("LED head torch, 300 lumen", "TRC-300", 2499, 110, "8513100000"),
    ("Loose leaf Assam tea 250g", "TEA-ASM", 675, 270, "0902300000"),
    ("Wooden jigsaw puzzle, 500 pieces", "PZL-500", 2200, 650, "9503006100"),
    ("Sterling silver stud earrings", "EAR-SLV", 3500, 8, "7113110000"),
    ("Phone case, clear, 6.1in", "CAS-61C", 1299, 40, "3926909790"),
    ("Dog lead, waxed canvas", "LED-DOG", 1850, 230, "4201000000"),
    ("Replacement vacuum filter", "FLT-VAC", 1095, 95, "8421390090"),
    ("Gardening gloves, size M", "GLV-GRM", 725, 110, "6116109500"),
    ("Paperback: Field Guide to British Birds", "BK-BIRD", 1499, 540, "4901990000"),
    ("USB-C charging cable 2m", "CBL-UC2", 899, 60, "8544429090"),
    ("Knitting yarn, aran, 100g", "YRN-ARN", 550, 105, "5109100000"),
)

CHANNELS = ("Shopify", "eBay", "Amazon", "Etsy", "WooCommerce", "Manual", "Not On The High Street")

REFERENCE_PREFIXES = ("WEB", "EBY", "AMZ", "ETSY", "SHP", "WOO", "TEL")

SPECIAL_INSTRUCTIONS = (
    "Leave with neighbour at no. 12 if out",
    "Please knock loudly, doorbell broken",
    "Gift - no prices on the despatch note please",
    "Fragile: glass inside",
    "Deliver to rear entrance",
    "",
)

TAG_KEYS = ("priority", "gift", "wholesale", "fragile", "repeat-customer")
# fmt: on
