//! The registry's static tables: cloud and product ids and names as Adobe uses them (sources in
//! the comment on [`PRODUCTS`] and in docs/adobe-status-api.md §9), service name pools,
//! environment templates and regions.

/// Region ids and display names. The ids are what the Postman tests check; the names differ from
/// the ids so a client that maps id → name is actually exercised.
pub(crate) const REGIONS: [(&str, &str); 3] = [
    ("APAC", "Asia Pacific"),
    ("Americas", "Americas"),
    ("EMEA", "Europe, Middle East and Africa"),
];

pub(super) const CLOUD_DOCUMENT: &str = "503457";
pub(super) const CLOUD_SERVICES: &str = "503458";
pub(super) const CLOUD_CREATIVE: &str = "503459";
const CLOUD_PLATFORM: &str = "503460";
const CLOUD_EXPERIENCE: &str = "503461";

pub(super) const CLOUDS: [(&str, &str); 5] = [
    (CLOUD_DOCUMENT, "Adobe Document Cloud"),
    (CLOUD_SERVICES, "Adobe Services"),
    (CLOUD_CREATIVE, "Adobe Creative Cloud"),
    (CLOUD_PLATFORM, "Adobe Experience Platform"),
    (CLOUD_EXPERIENCE, "Adobe Experience Cloud"),
];

/// Products whose registry entry lacks `productServices`, `environments` and `regions`, as the
/// Postman collection's tests expect from the live API. 503509 is Adobe Premiere Pro in the
/// public capture; 503496 and 503507 are in no cloud there, so their names here are invented.
pub(super) const BARE_PRODUCTS: [&str; 3] = ["503496", "503507", "503509"];

/// (id, name, cloud, explicit service names; empty = generated from the cloud's pool).
///
/// Ids, names and clouds are Adobe's own, from a public capture of status.adobe.com's service
/// registry (`data.status.adobe.com/adobestatus/SnowServiceRegistry`, the same catalogue the
/// Status API serves): the file `stts/Services/Generated/AdobeServices.swift` that the
/// `inket/stts` status-bar app generates from it (fork `acid-chicken/stts`, commit
/// 856df43fffce75a746cd4939e42a18a6f09a7a87). That generator prefixes "Adobe " to names that
/// lack it, so a few real names may be shorter ("Experience League"). Ids the capture does not
/// show (503472, 503483, 503504, 503515, 503516) are left out rather than guessed; the two bare
/// products without a cloud in the capture keep invented names. The service names, offerings
/// and environments below are plausible inventions: the capture has only clouds and products.
pub(super) const PRODUCTS: &[(&str, &str, &str, &[&str])] = &[
    ("503462", "Adobe Data Foundation", CLOUD_PLATFORM, &[]),
    (
        "503463",
        "Adobe Data Science Workspace",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503464", "Adobe CX Enterprise Home", CLOUD_EXPERIENCE, &[]),
    ("503465", "Adobe Express", CLOUD_CREATIVE, &[]),
    (
        "503466",
        "Adobe Administrative Consoles",
        CLOUD_SERVICES,
        &[
            "User Management",
            "Product Profiles",
            "Directory Sync",
            "Reports",
        ],
    ),
    (
        "503467",
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
    ("503468", "Adobe Advertising", CLOUD_EXPERIENCE, &[]),
    ("503469", "Adobe Fresco", CLOUD_CREATIVE, &[]),
    (
        "503470",
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
    ("503471", "Adobe Color", CLOUD_CREATIVE, &[]),
    ("503473", "Adobe Commerce", CLOUD_EXPERIENCE, &[]),
    (
        "503474",
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
    ("503475", "Adobe Campaign", CLOUD_EXPERIENCE, &[]),
    (
        "503476",
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
    ("503477", "Adobe XD", CLOUD_CREATIVE, &[]),
    ("503478", "Adobe Primetime", CLOUD_EXPERIENCE, &[]),
    ("503479", "Adobe Experience League", CLOUD_SERVICES, &[]),
    (
        "503480",
        "Adobe Intelligent Services",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503481",
        "Adobe Platform Core Services",
        CLOUD_PLATFORM,
        &[],
    ),
    ("503482", "Adobe Query Service", CLOUD_PLATFORM, &[]),
    (
        "503484",
        "Adobe Cross-Cloud Capabilities",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503485",
        "Adobe Customer Journey Analytics",
        CLOUD_EXPERIENCE,
        &[],
    ),
    ("503486", "Adobe Audience Manager", CLOUD_EXPERIENCE, &[]),
    ("503487", "Adobe Lightroom", CLOUD_CREATIVE, &[]),
    ("503488", "Adobe Journey Optimizer", CLOUD_EXPERIENCE, &[]),
    (
        "503489",
        "Adobe Experience Manager as a Cloud Service",
        CLOUD_EXPERIENCE,
        &[],
    ),
    (
        "503490",
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
    (
        "503492",
        "Adobe Creative Cloud Applications",
        CLOUD_CREATIVE,
        &[],
    ),
    (
        "503493",
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
    (
        "503494",
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
    ("503495", "Adobe Developer Platform", CLOUD_SERVICES, &[]),
    ("503496", "Adobe PDF Services API", CLOUD_DOCUMENT, &[]),
    ("503497", "Adobe Reseller Console", CLOUD_SERVICES, &[]),
    ("503498", "Adobe Account Management", CLOUD_SERVICES, &[]),
    ("503499", "Adobe Invite Accept", CLOUD_SERVICES, &[]),
    ("503500", "Adobe Acrobat Services", CLOUD_DOCUMENT, &[]),
    ("503501", "Adobe Fonts", CLOUD_CREATIVE, &[]),
    ("503502", "Adobe InDesign", CLOUD_CREATIVE, &[]),
    ("503503", "Adobe Dimension", CLOUD_CREATIVE, &[]),
    (
        "503505",
        "Adobe Creative Cloud Sharing and Commenting",
        CLOUD_CREATIVE,
        &[],
    ),
    ("503506", "Adobe Premiere Rush", CLOUD_CREATIVE, &[]),
    ("503507", "Adobe PDF Embed API", CLOUD_DOCUMENT, &[]),
    ("503508", "Adobe CC Community", CLOUD_CREATIVE, &[]),
    ("503509", "Adobe Premiere Pro", CLOUD_CREATIVE, &[]),
    ("503510", "Adobe Support", CLOUD_SERVICES, &[]),
    ("503511", "Adobe Aero", CLOUD_CREATIVE, &[]),
    ("503512", "Adobe Image Service", CLOUD_SERVICES, &[]),
    (
        "503513",
        "Adobe Creative Cloud Libraries",
        CLOUD_CREATIVE,
        &[],
    ),
    ("503514", "Adobe Live", CLOUD_CREATIVE, &[]),
    (
        "503517",
        "Adobe Creative Cloud Notifications",
        CLOUD_CREATIVE,
        &[],
    ),
    ("503518", "Adobe Substance", CLOUD_CREATIVE, &[]),
    ("503519", "Adobe Capture", CLOUD_CREATIVE, &[]),
    ("503520", "Adobe Learning Manager", CLOUD_SERVICES, &[]),
    (
        "503521",
        "Adobe Creative Cloud Storage",
        CLOUD_CREATIVE,
        &[],
    ),
    (
        "503522",
        "Adobe Creative Cloud Website",
        CLOUD_CREATIVE,
        &[],
    ),
    ("503523", "Adobe Creative Cloud Sync", CLOUD_CREATIVE, &[]),
    ("503524", "Adobe Illustrator", CLOUD_CREATIVE, &[]),
    (
        "503525",
        "Adobe Sign In",
        CLOUD_SERVICES,
        &[
            "Login",
            "Single Sign-On",
            "Account Creation",
            "Password Reset",
        ],
    ),
    ("503585", "Adobe Mixamo", CLOUD_CREATIVE, &[]),
    ("512699", "Adobe Acrobat", CLOUD_DOCUMENT, &[]),
    ("533248", "Adobe Real-Time CDP", CLOUD_EXPERIENCE, &[]),
    ("536716", "Adobe Firefly", CLOUD_CREATIVE, &[]),
    ("546687", "Adobe Bridge", CLOUD_CREATIVE, &[]),
    (
        "552633",
        "Adobe Journey Optimizer B2B",
        CLOUD_EXPERIENCE,
        &[],
    ),
    ("554089", "Adobe Status Service Probe", CLOUD_SERVICES, &[]),
    (
        "554521",
        "Adobe GenStudio for Performance Marketing",
        CLOUD_EXPERIENCE,
        &[],
    ),
    ("558202", "Adobe Customer Support", CLOUD_SERVICES, &[]),
    ("559133", "Adobe Content Authenticity", CLOUD_SERVICES, &[]),
    ("568624", "Adobe AI Assistant", CLOUD_PLATFORM, &[]),
    ("572928", "Adobe InDesign API", CLOUD_CREATIVE, &[]),
    ("582032", "Adobe Sites Optimizer", CLOUD_EXPERIENCE, &[]),
    ("582550", "Adobe Digital Video & Audio", CLOUD_CREATIVE, &[]),
    ("594942", "Adobe Brand Concierge", CLOUD_EXPERIENCE, &[]),
    ("595270", "Adobe Brand Visibility", CLOUD_EXPERIENCE, &[]),
    ("614000", "Adobe Commerce Partner API", CLOUD_SERVICES, &[]),
    (
        "616706",
        "Adobe Knowledge Base in Adobe Acrobat",
        CLOUD_DOCUMENT,
        &[],
    ),
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
