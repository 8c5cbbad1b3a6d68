//! Locales and the message catalog behind `/api/v1/messages`.
//!
//! Every `titleToken` and `messageToken` the simulator puts in a history entry resolves here, so a
//! client can render titles exactly as it would against Adobe. Texts are translated into German,
//! French, Japanese and Spanish; the other locales fall back to English (the live API also serves
//! untranslated texts). Maintenance texts carry the `{startDateTime}`/`{endDateTime}`
//! placeholders that real data contains.

/// The 19 locales the Postman tests expect: (localeCode, languageName).
pub(crate) const LOCALES: [(&str, &str); 19] = [
    ("en", "English"),
    ("fr", "French"),
    ("de", "German"),
    ("ja", "Japanese"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("ko", "Korean"),
    ("zh-CN", "Chinese (Simplified)"),
    ("zh-TW", "Chinese (Traditional)"),
    ("nl", "Dutch"),
    ("sv", "Swedish"),
    ("da", "Danish"),
    ("fi", "Finnish"),
    ("nb", "Norwegian"),
    ("pl", "Polish"),
    ("ru", "Russian"),
    ("cs", "Czech"),
    ("tr", "Turkish"),
];

/// One message in [en, de, fr, ja, es].
pub(crate) type Row = (&'static str, [&'static str; 5]);

/// Incident titles (`titleToken`s), one per kind of problem.
pub(crate) const INCIDENT_TITLES: &[Row] = &[
    (
        "message.CI0001001",
        [
            "Users may be unable to log in",
            "Benutzer können sich möglicherweise nicht anmelden",
            "Les utilisateurs ne peuvent peut-être pas se connecter",
            "ユーザーがログインできない可能性があります",
            "Es posible que los usuarios no puedan iniciar sesión",
        ],
    ),
    (
        "message.CI0001002",
        [
            "Degraded performance",
            "Beeinträchtigte Leistung",
            "Performances dégradées",
            "パフォーマンスの低下",
            "Rendimiento degradado",
        ],
    ),
    (
        "message.CI0001003",
        [
            "Delays in data processing",
            "Verzögerungen bei der Datenverarbeitung",
            "Retards dans le traitement des données",
            "データ処理の遅延",
            "Retrasos en el procesamiento de datos",
        ],
    ),
    (
        "message.CI0001004",
        [
            "Intermittent errors when accessing the service",
            "Zeitweilige Fehler beim Zugriff auf den Dienst",
            "Erreurs intermittentes lors de l'accès au service",
            "サービスへのアクセス時に断続的なエラー",
            "Errores intermitentes al acceder al servicio",
        ],
    ),
    (
        "message.CI0001005",
        [
            "Reports may show incomplete data",
            "Berichte zeigen möglicherweise unvollständige Daten",
            "Les rapports peuvent afficher des données incomplètes",
            "レポートに不完全なデータが表示される可能性があります",
            "Los informes pueden mostrar datos incompletos",
        ],
    ),
    (
        "message.CI0001006",
        [
            "Files may fail to upload or sync",
            "Dateien werden möglicherweise nicht hochgeladen oder synchronisiert",
            "Le chargement ou la synchronisation de fichiers peut échouer",
            "ファイルのアップロードまたは同期が失敗する可能性があります",
            "Es posible que los archivos no se carguen ni se sincronicen",
        ],
    ),
    (
        "message.CI0001007",
        [
            "API requests may fail or time out",
            "API-Anfragen schlagen möglicherweise fehl oder laufen ab",
            "Les requêtes API peuvent échouer ou expirer",
            "API リクエストが失敗またはタイムアウトする可能性があります",
            "Las solicitudes de API pueden fallar o agotar el tiempo de espera",
        ],
    ),
    (
        "message.CI0001008",
        [
            "Email delivery delays",
            "Verzögerungen bei der E-Mail-Zustellung",
            "Retards de distribution des e-mails",
            "メール配信の遅延",
            "Retrasos en la entrega de correo electrónico",
        ],
    ),
    (
        "message.CI0001009",
        [
            "Publishing and activation delays",
            "Verzögerungen bei Veröffentlichung und Aktivierung",
            "Retards de publication et d'activation",
            "公開とアクティベーションの遅延",
            "Retrasos en la publicación y la activación",
        ],
    ),
    (
        "message.CI0001010",
        [
            "Service unavailable for some users",
            "Dienst für einige Benutzer nicht verfügbar",
            "Service indisponible pour certains utilisateurs",
            "一部のユーザーがサービスを利用できません",
            "Servicio no disponible para algunos usuarios",
        ],
    ),
    (
        "message.CI0001011",
        [
            "Search results may be incomplete",
            "Suchergebnisse sind möglicherweise unvollständig",
            "Les résultats de recherche peuvent être incomplets",
            "検索結果が不完全である可能性があります",
            "Los resultados de búsqueda pueden estar incompletos",
        ],
    ),
    (
        "message.CI0001012",
        [
            "Notifications may be delayed",
            "Benachrichtigungen können verzögert sein",
            "Les notifications peuvent être retardées",
            "通知が遅延する可能性があります",
            "Las notificaciones pueden retrasarse",
        ],
    ),
];

pub(crate) const INC_MSG_DISCOVERY: &str = "message.CI0002001";
pub(crate) const INC_MSG_OPENED: &str = "message.CI0002002";
pub(crate) const INC_MSG_ESCALATED: &str = "message.CI0002003";
pub(crate) const INC_MSG_MITIGATED: &str = "message.CI0002004";
pub(crate) const INC_MSG_CLOSED: &str = "message.CI0002005";
pub(crate) const INC_MSG_DISMISSED: &str = "message.CI0002006";
/// The message of a root-cause (`CFS`) entry appended after closure.
pub(crate) const INC_MSG_ROOT_CAUSE: &str = "message.CI0002007";

/// Incident update bodies (`messageToken`s), one per kind of update.
pub(crate) const INCIDENT_BODIES: &[Row] = &[
    (
        INC_MSG_DISCOVERY,
        [
            "We are investigating reports of an issue affecting this product. More details will follow.",
            "Wir untersuchen Meldungen über ein Problem mit diesem Produkt. Weitere Details folgen.",
            "Nous enquêtons sur des signalements d'un problème affectant ce produit. Plus de détails suivront.",
            "この製品に影響する問題の報告を調査しています。詳細は追ってお知らせします。",
            "Estamos investigando informes de un problema que afecta a este producto. Pronto daremos más detalles.",
        ],
    ),
    (
        INC_MSG_OPENED,
        [
            "Our engineers have identified the cause and are working on a fix.",
            "Unsere Techniker haben die Ursache gefunden und arbeiten an einer Lösung.",
            "Nos ingénieurs ont identifié la cause et travaillent à un correctif.",
            "エンジニアが原因を特定し、修正に取り組んでいます。",
            "Nuestros ingenieros han identificado la causa y están trabajando en una solución.",
        ],
    ),
    (
        INC_MSG_ESCALATED,
        [
            "The impact of this issue has increased. Our engineers are working on it with the highest priority.",
            "Die Auswirkungen dieses Problems haben zugenommen. Unsere Techniker arbeiten mit höchster Priorität daran.",
            "L'impact de ce problème s'est aggravé. Nos ingénieurs le traitent en priorité absolue.",
            "この問題の影響が拡大しています。エンジニアが最優先で対応しています。",
            "El impacto de este problema ha aumentado. Nuestros ingenieros trabajan en ello con la máxima prioridad.",
        ],
    ),
    (
        INC_MSG_MITIGATED,
        [
            "A mitigation has been applied and the impact is reduced. We continue to monitor.",
            "Eine Abhilfe wurde umgesetzt und die Auswirkungen sind geringer. Wir beobachten weiter.",
            "Une mesure d'atténuation a été appliquée et l'impact est réduit. Nous continuons la surveillance.",
            "緩和策が適用され、影響は軽減されました。引き続き監視しています。",
            "Se ha aplicado una mitigación y el impacto se ha reducido. Seguimos supervisando.",
        ],
    ),
    (
        INC_MSG_CLOSED,
        [
            "This issue has been resolved. We apologize for any inconvenience.",
            "Dieses Problem wurde behoben. Wir entschuldigen uns für etwaige Unannehmlichkeiten.",
            "Ce problème a été résolu. Nous vous prions de nous excuser pour la gêne occasionnée.",
            "この問題は解決されました。ご不便をおかけしたことをお詫びいたします。",
            "Este problema se ha resuelto. Lamentamos las molestias ocasionadas.",
        ],
    ),
    (
        INC_MSG_DISMISSED,
        [
            "After investigation we found no customer impact. This event has been dismissed.",
            "Nach Prüfung wurden keine Auswirkungen für Kunden festgestellt. Dieses Ereignis wurde verworfen.",
            "Après enquête, aucun impact client n'a été constaté. Cet événement a été classé.",
            "調査の結果、お客様への影響は確認されませんでした。このイベントは取り下げられました。",
            "Tras la investigación no se ha encontrado impacto para los clientes. Este evento se ha descartado.",
        ],
    ),
    (
        INC_MSG_ROOT_CAUSE,
        [
            "The root cause analysis for this issue is now available.",
            "Die Ursachenanalyse für dieses Problem ist jetzt verfügbar.",
            "L'analyse des causes de ce problème est maintenant disponible.",
            "この問題の根本原因の分析を公開しました。",
            "El análisis de la causa raíz de este problema ya está disponible.",
        ],
    ),
];

/// Maintenance titles (`titleToken`s). `message.CM0001001` is the token the Postman
/// collection uses as its example.
pub(crate) const MAINTENANCE_TITLES: &[Row] = &[
    (
        "message.CM0001001",
        [
            "Scheduled maintenance",
            "Geplante Wartung",
            "Maintenance planifiée",
            "定期メンテナンス",
            "Mantenimiento programado",
        ],
    ),
    (
        "message.CM0001002",
        [
            "Database upgrade",
            "Datenbank-Upgrade",
            "Mise à niveau de la base de données",
            "データベースのアップグレード",
            "Actualización de la base de datos",
        ],
    ),
    (
        "message.CM0001003",
        [
            "Infrastructure maintenance",
            "Wartung der Infrastruktur",
            "Maintenance de l'infrastructure",
            "インフラストラクチャのメンテナンス",
            "Mantenimiento de la infraestructura",
        ],
    ),
    (
        "message.CM0001004",
        [
            "Network maintenance",
            "Netzwerkwartung",
            "Maintenance du réseau",
            "ネットワークのメンテナンス",
            "Mantenimiento de la red",
        ],
    ),
    (
        "message.CM0001005",
        [
            "Security patching",
            "Sicherheitsupdates",
            "Application de correctifs de sécurité",
            "セキュリティパッチの適用",
            "Aplicación de parches de seguridad",
        ],
    ),
    (
        "message.CM0001006",
        [
            "Platform upgrade",
            "Plattform-Upgrade",
            "Mise à niveau de la plateforme",
            "プラットフォームのアップグレード",
            "Actualización de la plataforma",
        ],
    ),
    (
        "message.CM0001007",
        [
            "Emergency maintenance",
            "Notfallwartung",
            "Maintenance d'urgence",
            "緊急メンテナンス",
            "Mantenimiento de emergencia",
        ],
    ),
];

/// Token of the "urgent" maintenance title, used for `Urgent` maintenances.
pub(crate) const MAINT_TITLE_URGENT: &str = "message.CM0001007";

pub(crate) const MAINT_MSG_SCHEDULED: &str = "message.CM0002001";
pub(crate) const MAINT_MSG_STARTED: &str = "message.CM0002002";
pub(crate) const MAINT_MSG_COMPLETED: &str = "message.CM0002003";
pub(crate) const MAINT_MSG_CANCELLED: &str = "message.CM0002004";
pub(crate) const MAINT_MSG_UPDATED: &str = "message.CM0002005";

/// Maintenance update bodies; several carry the placeholders real texts contain.
pub(crate) const MAINTENANCE_BODIES: &[Row] = &[
    (
        MAINT_MSG_SCHEDULED,
        [
            "Maintenance is scheduled from {startDateTime} to {endDateTime}. The service may be intermittently unavailable during this window.",
            "Eine Wartung ist von {startDateTime} bis {endDateTime} geplant. Der Dienst ist in diesem Zeitraum möglicherweise zeitweise nicht verfügbar.",
            "Une maintenance est prévue de {startDateTime} à {endDateTime}. Le service peut être indisponible par intermittence pendant cette période.",
            "{startDateTime} から {endDateTime} までメンテナンスを予定しています。この間、サービスが断続的に利用できない場合があります。",
            "Hay un mantenimiento programado de {startDateTime} a {endDateTime}. Es posible que el servicio no esté disponible de forma intermitente durante este periodo.",
        ],
    ),
    (
        MAINT_MSG_STARTED,
        [
            "Maintenance is in progress and is expected to end at {endDateTime}.",
            "Die Wartung läuft und endet voraussichtlich um {endDateTime}.",
            "La maintenance est en cours et devrait se terminer à {endDateTime}.",
            "メンテナンスを実施中です。{endDateTime} に終了する予定です。",
            "El mantenimiento está en curso y se espera que finalice a las {endDateTime}.",
        ],
    ),
    (
        MAINT_MSG_COMPLETED,
        [
            "Maintenance has been completed. All services are operating normally.",
            "Die Wartung ist abgeschlossen. Alle Dienste laufen normal.",
            "La maintenance est terminée. Tous les services fonctionnent normalement.",
            "メンテナンスが完了しました。すべてのサービスは正常に稼働しています。",
            "El mantenimiento ha finalizado. Todos los servicios funcionan con normalidad.",
        ],
    ),
    (
        MAINT_MSG_CANCELLED,
        [
            "This maintenance has been cancelled.",
            "Diese Wartung wurde abgesagt.",
            "Cette maintenance a été annulée.",
            "このメンテナンスはキャンセルされました。",
            "Este mantenimiento se ha cancelado.",
        ],
    ),
    (
        MAINT_MSG_UPDATED,
        [
            "Reminder: maintenance starts at {startDateTime}.",
            "Erinnerung: Die Wartung beginnt um {startDateTime}.",
            "Rappel : la maintenance commence à {startDateTime}.",
            "リマインダー: メンテナンスは {startDateTime} に開始します。",
            "Recordatorio: el mantenimiento comienza a las {startDateTime}.",
        ],
    ),
];

/// Canonical spelling of a locale code, if the simulator knows it (case-insensitive).
pub(crate) fn known_locale(code: &str) -> Option<&'static str> {
    LOCALES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(c, _)| *c)
}

/// The text of `row` in `locale`, English for untranslated locales.
pub(crate) fn localized(row: &Row, locale: &str) -> &'static str {
    let idx = match locale {
        "de" => 1,
        "fr" => 2,
        "ja" => 3,
        "es" => 4,
        _ => 0,
    };
    row.1.get(idx).copied().unwrap_or(row.1[0])
}

/// Minimal HTML escaping for the `htmlMessage` form of a text.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 7);
    out.push_str("<p>");
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out.push_str("</p>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_unique_and_translated() {
        let mut tokens: Vec<&str> = INCIDENT_TITLES
            .iter()
            .chain(INCIDENT_BODIES)
            .chain(MAINTENANCE_TITLES)
            .chain(MAINTENANCE_BODIES)
            .map(|r| r.0)
            .collect();
        let n = tokens.len();
        tokens.sort_unstable();
        tokens.dedup();
        assert_eq!(tokens.len(), n);
        assert_eq!(LOCALES.len(), 19);
        assert_eq!(known_locale("ES"), Some("es"));
        assert_eq!(known_locale("xx"), None);
        assert_eq!(
            localized(&INCIDENT_TITLES[1], "de"),
            "Beeinträchtigte Leistung"
        );
        assert_eq!(localized(&INCIDENT_TITLES[1], "nl"), "Degraded performance");
        assert_eq!(html("a<b & \"c\""), "<p>a&lt;b &amp; &quot;c&quot;</p>");
    }
}
