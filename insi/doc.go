// Package insi is the client of INSi, the Assurance Maladie teleservice that
// returns a person's Identité Nationale de Santé (INS): the matricule (NIR or
// NIA), its OID and the official identity traits.
//
// # Protocol
//
// SOAP 1.2 over HTTPS with mutual TLS, as described by the service contract
// DESIR_ICIR_EXP_1.5.0.wsdl and the schemas it imports:
//
//   - operations rechercherInsAvecTraitsIdentite (body RECSANSVITALE,
//     namespace http://www.cnamts.fr/INSiRecSans) and
//     rechercherInsAvecCarteVitale (body RECVITALE, http://www.cnamts.fr/INSiRecVit);
//     both answer RESULTAT (http://www.cnamts.fr/INSiResultat) with a
//     compte rendu 00 (one identity), 01 (none) or 02 (several);
//   - action urn:ServiceIdentiteCertifiee:1.0.0:<operation>, sent both as the
//     action parameter of the application/soap+xml media type and as the
//     WS-Addressing wsa:Action header, with a fresh wsa:MessageID per call;
//   - headers ContexteBAM (urn:siram:bam:ctxbam, version 01_02; its
//     COUVERTURE is empty for a traits search and repeats the card data for a
//     carte Vitale search) and ContexteLPS (urn:siram:lps:ctxlps, version
//     01_00: software authorisation number IDAM, name, version, instance);
//   - faults are SOAP 1.2 faults (sent with HTTP 500) whose detail is a
//     siram:Erreur with the service's own code; they come back as *FaultError.
//
// The wsse:Security header the WSDL also binds carries a signed assertion in
// the CPS-card mode (and a carte Vitale assertion when a card is read through
// SESAM-Vitale). Relais calls the service as a structure, authenticated by its
// organisation certificate at the TLS level, and does not send it.
//
// # Search by traits
//
// SearchByTraits follows the national guidance on INSi answers: first call
// with the birth name, the first birth first name only, sex and birth date; if
// that is not a 00, call again with the whole first-name list, then with the
// INSEE code of the birth place as well; stop at the first 00. Every call is
// reported in Result.Attempts so that the screen can explain the outcome.
//
// # Configuration
//
// The application reads these environment variables (to be listed with the
// others in docs/configuration.md):
//
//	RELAIS_INSI_URL   endpoint, https only, e.g. the qualification endpoint
//	                  https://qualiflps-services-ps-tlsm.ameli.fr:443/lps
//	RELAIS_INSI_CERT  PEM certificate of the structure (authentication certificate)
//	RELAIS_INSI_KEY   PEM private key of that certificate
//	RELAIS_INSI_CA    PEM roots that sign the service's certificate (optional)
//
// plus the software identification of Identification (IDAM given when the
// software is approved for INSi, name, version, emitter). New builds the
// client from them: TLS 1.2 or later, client certificate presented, no
// redirects followed, each HTTP call bounded by Config.Timeout.
//
// Without RELAIS_INSI_URL, Relais runs the test peer of package insitest as a
// simulation: the client is built with NewWithHTTPClient over
// insitest.Peer.Client (in-process, same SOAP envelopes), and every screen
// that shows an INSi answer says so with insitest.SimulationNotice.
//
// # Safety
//
// Answers are read up to 1 MiB, must be SOAP 1.2 envelopes without DTD, and
// are checked against the contract's patterns (matricule, key, OID, dates)
// before they become an Identity. Error messages never quote a matricule or
// identity traits, since they end up in logs.
package insi
