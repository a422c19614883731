# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_jlm_batigest_global_optspecs
    string join \n profile= server= port= instance= database= user= auth= encrypt= trust-cert ca-file= timeout= schema= jlm-db= password-stdin format= o/output= excel color= no-progress v/verbose q/quiet h/help V/version
end

function __fish_jlm_batigest_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_jlm_batigest_global_optspecs) -- $cmd 2>/dev/null
    or begin
        set -e cmd[-1]
        argparse -s (__fish_jlm_batigest_global_optspecs) -- $cmd 2>/dev/null
    end
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_jlm_batigest_using_subcommand
    set -l cmd (__fish_jlm_batigest_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -s V -l version -d 'Affiche la version'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "test-connection" -d 'Vérifie la connexion à Batigest : serveur, base, temps d\'aller-retour'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "devis" -d 'Liste les devis de Batigest, du plus récent au plus ancien'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "coefficients" -d 'Coefficients de marge des ouvrages actifs, par famille, sous-famille ou ouvrage'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "factures" -d 'Factures en attente de règlement : reste dû, retards, ancienneté, totaux'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "tresorerie" -d 'Prévision d\'encaissements : reste dû des factures ouvertes par échéance, retards, avoirs, reste à facturer'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "relances" -d 'Relances de paiement : factures en retard par client et par niveau, pénalités, lettres'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "alertes" -d 'Alertes : retards, seuils de relance, coefficients sous la cible, dérives de marge ; envoi par e-mail et webhook'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "analytics" -d 'Indicateurs : conversion, chiffre d\'affaires prévu, facturé, réalisé, marges prévues et réelles'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "dashboard" -d 'Tableau de bord : connexion, indicateurs du mois et de l\'année, retards, familles sous cible'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "sync-offer" -d 'Synchronise des devis Batigest vers JLM ERP : offre, suivi d\'intégration, journal'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "integrations" -d 'Trace des synchronisations : chaque devis synchronisé et son offre JLM ERP'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "schema" -d 'Relie les tables et colonnes de votre base Batigest aux champs de l\'outil'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "login" -d 'Enregistre le mot de passe (compte SQL ou Windows) du profil dans le trousseau du système'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "logout" -d 'Retire du trousseau du système le mot de passe SQL du profil et ses autres secrets'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "config" -d 'Montre la configuration effective, ou le chemin du fichier de configuration'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "sandbox" -d 'Lance le bac à sable Batigest : un SQL Server de test (protocole TDS réel) servi depuis SQLite'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "serve" -d 'Sert l\'API REST de l\'intégration d\'origine (/api/batigest/…) pour les écrans de JLM ERP'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "demo" -d 'Visite guidée : un bac à sable Batigest et chaque commande de l\'outil, sans rien installer'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "completions" -d 'Complétion des commandes et options pour un shell'
complete -c jlm-batigest -n "__fish_jlm_batigest_needs_command" -f -a "man" -d 'Pages de manuel (man)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l check-schema -d 'Vérifie aussi que chaque table et colonne de la correspondance existe, et que les statuts se lisent'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand test-connection" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l from -d 'Créés à partir de cette date (incluse), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l to -d 'Créés jusqu\'à cette date (incluse)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l statut -d 'Statut (répétable) : BROUILLON, VALIDE, ENVOYE, ACCEPTE, REFUSE' -r -f -a "BROUILLON\t''
VALIDE\t''
ENVOYE\t''
ACCEPTE\t''
REFUSE\t''"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l client -d 'Code client (ex. CLI00042)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l limit -d 'Nombre maximal de devis' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand devis" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l famille -d 'Seulement cette famille (code, ex. MENUISERIE_EXT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l par -d 'Regroupement' -r -f -a "famille\t'une ligne par famille'
sous-famille\t'une ligne par sous-famille'
ouvrage\t'une ligne par ouvrage'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l fail-on-alert -d 'Code de sortie 6 si une famille est sous sa cible ou un ouvrage hors tolérance'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand coefficients" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l client -d 'Seulement ce client (code, ex. CLI00042)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l au -d 'Date du rapport (défaut : aujourd\'hui), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l en-retard -d 'Seulement les factures en retard (les totaux portent alors sur elles seules)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l fail-on-alert -d 'Code de sortie 6 si une facture est en retard'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand factures" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l au -d 'Date du rapport (défaut : aujourd\'hui), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l horizon -d 'Jusqu\'où regarder : N semaines (13s) ou N mois (6m), la semaine ou le mois du rapport compris (défaut : 13s par semaine, 6m par mois)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l par -d 'Découpage des encaissements attendus' -r -f -a "semaine\t'semaines (du lundi au dimanche ; la première commence à la date du rapport)'
mois\t'mois civils (le premier commence à la date du rapport)'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l detail -d 'Liste aussi chaque facture et chaque devis derrière chaque ligne'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand tresorerie" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l au -d 'Date du rapport (défaut : aujourd\'hui), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l client -d 'Seulement ce client (code, ex. CLI00042)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l lettres -d 'Écrit une lettre HTML par client dans ce dossier (créé s\'il manque) : relance-CODE.html' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l fail-on-alert -d 'Code de sortie 6 si un client est au niveau 3 (mise en demeure)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand relances" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l au -d 'Date du rapport (défaut : aujourd\'hui), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l notify -d 'Envoie les alertes pas encore envoyées par les canaux du profil (e-mail, webhook)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l dry-run -d 'Calcule et compare sans rien enregistrer ni envoyer'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -f -a "login-smtp" -d 'Enregistre le mot de passe SMTP des alertes dans le trousseau'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and not __fish_seen_subcommand_from login-smtp login-webhook" -f -a "login-webhook" -d 'Enregistre la clé qui signe les envois au webhook dans le trousseau'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-smtp" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand alertes; and __fish_seen_subcommand_from login-webhook" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l from -d 'Début de la période (incluse ; défaut : 1er janvier de l\'année en cours)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l to -d 'Fin de la période (incluse ; défaut : aujourd\'hui)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l periode -d 'Évolution par mois, trimestre ou année (sinon : la période entière)' -r -f -a "mensuel\t''
trimestriel\t''
annuel\t''"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l par -d 'Par type de menuiserie des offres de JLM ERP auxquelles les devis sont rattachés (une ligne par type, puis les devis sans offre) ; demande la base de JLM ERP, n\'est pas enregistré' -r -f -a "menuiserie\t'Le `menuiserie_type` des offres de JLM ERP'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l no-save -d 'N\'enregistre pas ce calcul dans l\'historique (table batigest_analytics du magasin JLM)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and not __fish_seen_subcommand_from history" -f -a "history" -d 'Calculs d\'indicateurs enregistrés (historique)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l periode -d 'Seulement les calculs de ce découpage' -r -f -a "mensuel\t''
trimestriel\t''
annuel\t''
global\t''"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l limit -d 'Nombre maximal de calculs' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l id -d 'Montre un calcul enregistré en entier' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand analytics; and __fish_seen_subcommand_from history" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l html -d 'Écrit aussi un rapport HTML autonome avec graphiques dans FICHIER' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l au -d 'Date du rapport (défaut : aujourd\'hui)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand dashboard" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l ref -d 'Numéro du devis ou référence d\'affaire (ex. DEVIS-2024-001)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l offer -d 'Offre JLM ERP à lier (son identifiant, un UUID), au lieu de la chercher par référence' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l since -d 'Avec --all : depuis cette date (incluse), AAAA-MM-JJ ou JJ/MM/AAAA' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l interval -d 'Avec --watch : le temps entre deux passes (ms, s, m ou h ; ex. 30s, 5m) [défaut : 60s]' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l relink -d 'Déplace le lien quand l\'offre porte déjà un autre devis (ou que le devis est lié à une autre offre) : l\'ancien devis passe « manual_review », l\'ancienne offre perd son batigest_ref'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l all -d 'Tous les devis validés ou acceptés, créés ou validés depuis --since (défaut : le dernier lot réussi)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l dry-run -d 'Montre ce qui changerait sans rien écrire'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l watch -d 'Avec --all : reste en veille et synchronise à chaque intervalle ce qui a changé dans Batigest, jusqu\'à Ctrl-C, SIGTERM ou l\'arrêt du service'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sync-offer" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l statut -d 'Seulement cet état de synchronisation' -r -f -a "synced\t'lié à son offre (ou enregistré, sans table offers)'
manual_review\t'aucune offre ne correspond : à lier à la main'
error\t'en erreur'
pending\t'en attente'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l limit -d 'Nombre maximal de lignes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l journal -d 'Le journal : une ligne par tentative (utilisateur, résultat, valeurs avant et après, erreur)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand integrations" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and not __fish_seen_subcommand_from inspect" -f -a "inspect" -d 'Lit INFORMATION_SCHEMA et propose une colonne pour chaque champ logique'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l write -d 'Écrit un fichier de correspondance commenté (TOML) à compléter' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l force -d 'Remplace le fichier de --write s\'il existe déjà'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand schema; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l no-check -d 'Enregistre sans essayer le mot de passe sur le serveur (hors ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand login" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand logout" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -f -a "show" -d 'Affiche chaque réglage effectif, sa valeur et sa source ; le mot de passe reste masqué'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and not __fish_seen_subcommand_from show path" -f -a "path" -d 'Affiche le chemin du fichier de configuration (JLM_BATIGEST_CONFIG, sinon le dossier de configuration du système)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l listen -d 'Adresse d\'écoute TCP (port 0 : un port libre, annoncé au démarrage)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l db -d 'Fichier SQLite à servir ; avec --generate, créé et rempli s\'il n\'existe pas' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l generate -d 'Génère un jeu de données de N devis (1 000 si ni --db ni --generate)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l seed -d 'Graine du générateur : la même graine donne les mêmes données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l layout -d 'Disposition des tables générées ; batigest sert la base BTG_DOS_DEMO sauf --database' -r -f -a "defaut\t'celle de l\'intégration d\'origine (DEVIS, FACTURES, CLIENTS… liées par identifiant)'
batigest\t'celle des vraies bases Batigest (Devis, ElementDef, FamilleArticle… liées par code, états entiers)'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l password -d 'Mot de passe SQL accepté (identifiant de test, jamais un vrai secret)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l windows-user -d 'Compte Windows accepté par NTLMv2 (connexions --auth windows, tsql -U \'DOMAINE\\\\utilisateur\')' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l windows-password -d 'Mot de passe du compte Windows (de test) ; JLM_SANDBOX_WINDOWS_PASSWORD le garde hors de la liste des processus' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l tls -d 'Chiffrement : auto suit la demande du client, comme SQL Server' -r -f -a "auto\t'comme SQL Server : chiffre au moins la connexion, tout si le client le demande'
off\t'aucun chiffrement'
login-only\t'seul le paquet de connexion est chiffré'
required\t'tout est chiffré (« force encryption »)'
strict\t'TDS 8.0 strict : TLS dès le premier octet (ALPN tds/8.0), comme SQL Server 2022 en Encrypt=Strict'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l cert -d 'Certificat PEM du serveur (sinon un certificat auto-signé est généré au démarrage)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l key -d 'Clé privée PEM du certificat' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l cert-out -d 'Écrit le certificat du serveur en PEM, pour qu\'un client puisse le vérifier' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l browser-port -d 'Répond au service SQL Server Browser (UDP) sur ce port, pour l\'instance --instance' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l instance -d 'Nom de l\'instance annoncée par le service Browser' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l collation -d 'Collation de la base : comparaisons, regroupements et tris de texte (espaces finaux ignorés, accents distingués)' -r -f -a "French_CI_AS\t'celle des dossiers Batigest français : majuscules et minuscules confondues'
French_CS_AS\t'majuscules et minuscules distinguées'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l latency-ms -d 'Panne simulée : attend N millisecondes avant chaque réponse' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l drop-after-rows -d 'Panne simulée : coupe la connexion après N lignes d\'un résultat' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l refuse-logins -d 'Panne simulée : refuse toutes les connexions (serveur en pause)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand sandbox" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l listen -d 'Adresse d\'écoute ; hors de la boucle locale, HTTPS (--cert, --key) ou --insecure-http est exigé' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l cert -d 'Certificat PEM du serveur (HTTPS)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l key -d 'Clé privée PEM du certificat' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l max-requests -d 'Requêtes traitées en même temps au plus ; au-delà : 429' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l header-timeout -d 'Secondes laissées à un client pour envoyer l\'en-tête entier d\'une requête (depuis sa connexion, ou depuis son premier octet sur une connexion gardée) ; au-delà, elle est fermée' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l idle-timeout -d 'Secondes qu\'une connexion gardée peut rester muette entre deux requêtes ; au-delà, elle est fermée' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l service-name -d 'Windows : nom du service' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l service-account -d 'Windows : compte sous lequel le service tourne (défaut LocalSystem) ; son mot de passe est demandé au clavier' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l service-log -d 'Windows : journal du service, chemin absolu (défaut : serve.log dans le dossier de données du compte du service)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l sync-interval -d 'Synchronise aussi JLM ERP en continu : une passe par intervalle (ms, s, m ou h ; ex. 60s), comme sync-offer --all --watch ; état : GET /api/batigest/sync-status' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l insecure-http -d 'Accepte d\'écouter en HTTP clair hors de la boucle locale (le jeton circule alors en clair)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l set-token -d 'Crée un jeton d\'accès, le garde dans le trousseau et l\'affiche une fois, puis s\'arrête'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l token-stdin -d 'Lit le jeton d\'accès sur l\'entrée standard, le garde dans le trousseau, puis s\'arrête'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l install-service -d 'Windows : installe serve comme service (démarrage automatique) avec les autres options de cette commande, puis s\'arrête'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l uninstall-service -d 'Windows : arrête et désinstalle le service'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l run-as-service -d 'Lancé par le gestionnaire de services Windows (voir --install-service)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand serve" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l devis -d 'Nombre de devis générés' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l keep -d 'Laisse le bac à sable tourner après la visite (Ctrl-C pour l\'arrêter)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand demo" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l dir -d 'Écrit le fichier dans ce dossier au lieu de la sortie standard' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand completions" -s h -l help -d 'Affiche l\'aide'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l dir -d 'Écrit une page par commande dans ce dossier au lieu de la page principale sur la sortie standard' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l profile -d 'Profil du fichier de configuration (défaut : « default »)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l server -d 'Serveur SQL Server de Batigest (HÔTE, ou HÔTE\\INSTANCE)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l port -d 'Port TCP (défaut 1433) ; avec une instance nommée, port du service SQL Server Browser (défaut 1434)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l instance -d 'Instance nommée, résolue par le service SQL Server Browser (ex. SAGEBAT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l database -d 'Base de données Batigest (défaut BATIGEST_CONNECT)' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l user -d 'Utilisateur SQL' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l auth -d 'Connexion SQL (défaut), Windows (NTLM, --user DOMAINE\\\\utilisateur) ou intégrée (session Windows)' -r -f -a "sql\t'compte SQL Server et son mot de passe'
windows\t'compte Windows DOMAINE\\utilisateur et son mot de passe (NTLM), sur tout système'
integrated\t'l\'utilisateur de la session Windows ouverte (SSPI), sous Windows seulement'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l encrypt -d 'Chiffrement de la connexion (défaut required)' -r -f -a "required\t'tout est chiffré, certificat vérifié'
login-only\t'seule la connexion (mot de passe) est chiffrée'
off\t'aucun chiffrement : le mot de passe circule en clair'
strict\t'TDS 8.0 : TLS avant tout paquet TDS (SQL Server 2022, Encrypt=Strict), certificat vérifié'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l ca-file -d 'Autorité de certification (PEM) qui signe le certificat du serveur' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l timeout -d 'Délai maximal de connexion et de chaque requête, en secondes' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l schema -d 'Correspondance du schéma : « batigest » (disposition des bases Batigest réelles, intégrée) ou un fichier TOML' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l jlm-db -d 'Magasin JLM : sqlite:CHEMIN ou postgres://… (la base de JLM ERP) ; défaut : SQLite dans le dossier de données' -r
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l format -d 'Format de sortie (défaut : table)' -r -f -a "table\t'tableau lisible, nombres à la française'
csv\t'CSV (RFC 4180)'
json\t'un document JSON'
ndjson\t'un objet JSON par ligne'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -s o -l output -d 'Écrit le résultat dans FICHIER (remplacé seulement si tout a réussi)' -r -F
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l color -d 'Couleurs : auto (si la sortie est un terminal et NO_COLOR absent), always, never' -r -f -a "auto\t'si la sortie est un terminal et NO_COLOR n\'est pas défini'
always\t'toujours'
never\t'jamais'"
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l trust-cert -d 'Accepte un certificat non vérifié (auto-signé) : à éviter, un avertissement est affiché'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l password-stdin -d 'Lit le mot de passe SQL sur l\'entrée standard (une ligne)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l excel -d 'CSV pour Excel en français : « ; », virgule décimale, BOM UTF-8, dates JJ/MM/AAAA'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -l no-progress -d 'Pas de barre de progression'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -s v -l verbose -d 'Détaille le déroulement sur la sortie d\'erreur : -v les étapes, requêtes et durées, -vv le débogage des pilotes, -vvv leur trace (jamais de mot de passe)'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -s q -l quiet -d 'N\'affiche que les données et les erreurs'
complete -c jlm-batigest -n "__fish_jlm_batigest_using_subcommand man" -s h -l help -d 'Affiche l\'aide'
