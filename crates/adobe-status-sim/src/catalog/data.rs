//! The registry's static tables: cloud and product ids and names as Adobe uses them, service
//! name pools, environment templates and regions.

/// Region ids and display names. The ids are what the Postman tests check; the names differ from
/// the ids so a client that maps id → name is actually exercised.
pub(crate) const REGIONS: [(&str, &str); 3] = [
    ("APAC", "Asia Pacific"),
    ("Americas", "Americas"),
    ("EMEA", "Europe, Middle East and Africa"),
];

pub(super) const CLOUD_SERVICES: &str = "503457";
pub(super) const CLOUD_CREATIVE: &str = "503458";
const CLOUD_DOCUMENT: &str = "503459";
const CLOUD_PLATFORM: &str = "503460";
const CLOUD_EXPERIENCE: &str = "503461";

pub(super) const CLOUDS: [(&str, &str); 5] = [
    (CLOUD_SERVICES, "Adobe Services"),
    (CLOUD_CREATIVE, "Adobe Creative Cloud"),
    (CLOUD_DOCUMENT, "Adobe Document Cloud"),
    (CLOUD_PLATFORM, "Adobe Experience Platform"),
    (CLOUD_EXPERIENCE, "Adobe Experience Cloud"),
];

/// Products whose registry entry lacks `productServices`, `environments` and `regions`, as the
/// Postman collection's tests expect from the live API.
pub(super) const BARE_PRODUCTS: [&str; 3] = ["503496", "503507", "503509"];

/// (id, name, cloud, explicit service names; empty = generated from the cloud's pool).
pub(super) const PRODUCTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "503462",
        "Adobe Analytics",
        CLOUD_EXPERIENCE,
        &[
            "Reporting",
            "Data Collection",
            "Analysis Workspace",
            "Data Feeds",
            "Data Warehouse",
            "Report Builder",
            "APIs",
            "Administration",
        ],
    ),
    (
        "503463",
        "Adobe Target",
        CLOUD_EXPERIENCE,
        &[
            "Activities",
            "Personalization",
            "Recommendations",
            "Reporting",
            "Delivery APIs",
            "Visual Experience Composer",
        ],
    ),
    ("503464", "Adobe Campaign", CLOUD_EXPERIENCE, &[]),
    ("503465", "Adobe Audience Manager", CLOUD_EXPERIENCE, &[]),
    ("503466", "Adobe Advertising", CLOUD_EXPERIENCE, &[]),
    (
        "503467",
        "Adobe Real-Time Customer Data Platform",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503468", "Adobe Journey Optimizer", CLOUD_PLATFORM, &[]),
    ("503469", "Customer Journey Analytics", CLOUD_PLATFORM, &[]),
    (
        "503470",
        "Adobe Experience Platform Data Collection",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503471", "Adobe Experience Platform", CLOUD_PLATFORM, &[]),
    (
        "503472",
        "Adobe Experience Manager",
        CLOUD_EXPERIENCE,
        &[
            "Author",
            "Publish",
            "Assets",
            "Sites",
            "Forms",
            "Dispatcher",
            "Cloud Manager",
        ],
    ),
    (
        "503473",
        "Adobe Experience Manager as a Cloud Service",
        CLOUD_EXPERIENCE,
        &[],
    ),
    ("503474", "Adobe Commerce", CLOUD_EXPERIENCE, &[]),
    (
        "503475",
        "Adobe Workfront",
        CLOUD_EXPERIENCE,
        &[
            "Projects",
            "Proofing",
            "Fusion",
            "Reporting",
            "Login",
            "Notifications",
        ],
    ),
    (
        "503476",
        "Adobe Experience Platform Query Service",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503477", "Adobe Mix Modeler", CLOUD_PLATFORM, &[]),
    (
        "503478",
        "Adobe GenStudio for Performance Marketing",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503479",
        "Adobe Photoshop",
        CLOUD_CREATIVE,
        &[
            "Desktop App",
            "Photoshop on the Web",
            "Generative Fill",
            "Cloud Documents",
            "Neural Filters",
        ],
    ),
    ("503480", "Adobe Illustrator", CLOUD_CREATIVE, &[]),
    ("503481", "Adobe Lightroom", CLOUD_CREATIVE, &[]),
    ("503482", "Adobe Express", CLOUD_CREATIVE, &[]),
    ("503483", "Adobe Fonts", CLOUD_CREATIVE, &[]),
    ("503484", "Adobe Stock", CLOUD_CREATIVE, &[]),
    ("503485", "Behance", CLOUD_CREATIVE, &[]),
    ("503486", "Creative Cloud Storage", CLOUD_CREATIVE, &[]),
    ("503487", "Creative Cloud Libraries", CLOUD_CREATIVE, &[]),
    ("503488", "Adobe Premiere Pro", CLOUD_CREATIVE, &[]),
    ("503489", "Adobe After Effects", CLOUD_CREATIVE, &[]),
    ("503490", "Adobe InDesign", CLOUD_CREATIVE, &[]),
    (
        "503491",
        "Adobe Marketo Engage",
        CLOUD_EXPERIENCE,
        &[
            "Email Delivery",
            "Landing Pages",
            "Smart Campaigns",
            "Lead Management",
            "REST API",
            "Munchkin Tracking",
            "Reporting & Analytics",
        ],
    ),
    ("503492", "Adobe Firefly", CLOUD_CREATIVE, &[]),
    ("503493", "Frame.io", CLOUD_CREATIVE, &[]),
    ("503494", "Adobe Acrobat", CLOUD_DOCUMENT, &[]),
    (
        "503495",
        "Adobe Acrobat Sign",
        CLOUD_DOCUMENT,
        &[
            "Send for Signature",
            "E-Signatures",
            "Web Forms",
            "Integrations",
            "REST API",
            "Reports",
        ],
    ),
    ("503496", "PDF Services API", CLOUD_DOCUMENT, &[]),
    ("503497", "Adobe Scan", CLOUD_DOCUMENT, &[]),
    ("503498", "Adobe Acrobat Reader", CLOUD_DOCUMENT, &[]),
    (
        "503499",
        "Adobe Connect",
        CLOUD_SERVICES,
        &[
            "Meetings",
            "Webinars",
            "Recordings",
            "Virtual Classrooms",
            "Administration",
        ],
    ),
    (
        "503500",
        "Admin Console",
        CLOUD_SERVICES,
        &[
            "User Management",
            "Product Profiles",
            "Directory Sync",
            "Reports",
        ],
    ),
    (
        "503501",
        "Sign In",
        CLOUD_SERVICES,
        &[
            "Login",
            "Single Sign-On",
            "Account Creation",
            "Password Reset",
        ],
    ),
    ("503502", "Experience League", CLOUD_SERVICES, &[]),
    ("503503", "Adobe Developer Console", CLOUD_SERVICES, &[]),
    ("503504", "Adobe Account", CLOUD_SERVICES, &[]),
    ("503505", "Creative Cloud Desktop App", CLOUD_CREATIVE, &[]),
    ("503506", "Adobe XD", CLOUD_CREATIVE, &[]),
    ("503507", "PDF Embed API", CLOUD_DOCUMENT, &[]),
    ("503508", "Adobe Learning Manager", CLOUD_EXPERIENCE, &[]),
    ("503509", "PDF Extract API", CLOUD_DOCUMENT, &[]),
    ("503510", "Adobe Dreamweaver", CLOUD_CREATIVE, &[]),
    ("503511", "Adobe Animate", CLOUD_CREATIVE, &[]),
    ("503512", "Adobe Audition", CLOUD_CREATIVE, &[]),
    ("503513", "Adobe Substance 3D", CLOUD_CREATIVE, &[]),
    ("503514", "Adobe Substance 3D Assets", CLOUD_CREATIVE, &[]),
    ("503515", "Adobe Portfolio", CLOUD_CREATIVE, &[]),
    ("503516", "Adobe Color", CLOUD_CREATIVE, &[]),
    (
        "503517",
        "Adobe Experience Manager Assets",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503518",
        "Adobe Experience Manager Forms",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503519",
        "Adobe Journey Optimizer B2B Edition",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503520", "Real-Time CDP Collaboration", CLOUD_PLATFORM, &[]),
    (
        "503521",
        "Adobe Experience Platform Identity Service",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503522", "Adobe Pass", CLOUD_EXPERIENCE, &[]),
    ("503523", "Adobe Dynamic Media", CLOUD_EXPERIENCE, &[]),
    ("503524", "Adobe Support Portal", CLOUD_SERVICES, &[]),
    ("503525", "Adobe I/O Events", CLOUD_SERVICES, &[]),
    ("503526", "Adobe App Builder", CLOUD_SERVICES, &[]),
    ("503527", "Adobe Status", CLOUD_SERVICES, &[]),
];

/// Plausible service names per cloud, for products without an explicit list.
pub(super) fn service_pool(cloud: &str) -> &'static [&'static str] {
    match cloud {
        CLOUD_CREATIVE => &[
            "Login",
            "Cloud Sync",
            "Cloud Documents",
            "Libraries",
            "Generative AI Features",
            "Licensing",
            "Desktop App",
            "Mobile App",
            "Web App",
            "Sharing & Collaboration",
            "Publishing",
            "Search",
            "Notifications",
            "Downloads & Updates",
            "Plugins",
        ],
        CLOUD_DOCUMENT => &[
            "Document Cloud Web",
            "Document Storage",
            "PDF Conversion",
            "OCR",
            "APIs",
            "Mobile App",
            "Sharing & Review",
            "Integrations",
            "Notifications",
            "Reports",
        ],
        CLOUD_PLATFORM => &[
            "Data Ingestion",
            "Streaming Ingestion",
            "Batch Ingestion",
            "Identity Service",
            "Profile",
            "Segmentation",
            "Destinations",
            "Query Service",
            "Journeys",
            "Edge Network",
            "Sources",
            "Data Governance",
            "User Interface",
            "APIs",
        ],
        CLOUD_EXPERIENCE => &[
            "Reporting",
            "Data Collection",
            "APIs",
            "Authoring",
            "Publishing",
            "Segmentation",
            "Activation",
            "Email Delivery",
            "Administration",
            "Workflow",
            "Asset Processing",
            "Content Delivery",
            "Personalization",
            "Integrations",
            "Dashboards",
            "Import & Export",
        ],
        _ => &[
            "Login",
            "Web Site",
            "Search",
            "APIs",
            "Notifications",
            "Support Cases",
            "Billing",
            "Administration",
            "Events",
            "Runtime",
        ],
    }
}

/// Environment templates: (name, region ids). Real products have thousands of environments;
/// a handful per product is enough to exercise the `regionId` array and the event links.
pub(super) const ENVIRONMENTS: &[(&str, &[&str])] = &[
    ("Production - Americas (OR1)", &["Americas"]),
    ("Production - Americas (VA7)", &["Americas"]),
    ("Production - EMEA (IRL1)", &["EMEA"]),
    ("Production - EMEA (AMS1)", &["EMEA"]),
    ("Production - APAC (SGP3)", &["APAC"]),
    ("Production - APAC (JPN2)", &["APAC"]),
    ("Production - AUS (SYD1)", &["APAC"]),
    ("Global Edge", &["APAC", "Americas", "EMEA"]),
    ("Stage - Americas", &["Americas"]),
];

pub(super) const OFFERING_SUFFIXES: [&str; 4] = ["Prime", "Ultimate", "Select", "for Enterprise"];
