// Generated from /openapi.json by openapi-typescript (test/web-api-types.test.ts). Do not edit.
export interface paths {
    "/api/v1/brands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List brands (a brand key sees its own) */
        get: operations["listBrands"];
        put?: never;
        /**
         * Add a brand (a tenant: its programs, stores, customers, keys)
         * @description Only the deployment key (ADMIN_API_KEY) manages brands; a brand admin key answers 403.
         */
        post: operations["createBrand"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/brands/{brand}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A brand's settings
         * @description For the deployment key and the brand-wide admins of that brand.
         */
        get: operations["getBrand"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a brand's name, privacy policy link, or its texts' sender and signature
         * @description A field set to null goes back to the default (no privacy link; the deployment’s SMS sender; no signature). The SMS sender is set by the deployment key only (it is the gateway account’s).
         */
        patch: operations["updateBrand"];
        trace?: never;
    };
    "/api/v1/brands/{brand}/apple-identity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The Apple identity a brand's new passes are signed with (never its key) */
        get: operations["getAppleIdentity"];
        /**
         * Give a brand its own Apple identity (pass type id certificate, key and WWDR)
         * @description The certificate must be a Pass Type ID certificate issued by the WWDR certificate given, with its key. Sent again with the same pass type id it renews it; with another, new passes get the new one and passes already on phones keep theirs. The key is sealed with SECRETS_KEY and never returned.
         */
        put: operations["setAppleIdentity"];
        post?: never;
        /** New passes of the brand go back to the deployment's identity (passes already issued keep theirs) */
        delete: operations["removeAppleIdentity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/brands/{brand}/google-issuer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The Google issuer a brand's new cards are made under (never its key) */
        get: operations["getGoogleIssuer"];
        /**
         * Give a brand its own Google issuer (issuer id and service account)
         * @description The service account must be authorised for the issuer in the Google Pay & Wallet Console. Sent again with the same issuer id it replaces the account; with another, new cards get the new issuer and objects already in wallets stay under theirs (Google ids cannot move). The key is sealed with SECRETS_KEY and never returned.
         */
        put: operations["setGoogleIssuer"];
        post?: never;
        /** New cards of the brand go back to the deployment's issuer (objects already made keep theirs) */
        delete: operations["removeGoogleIssuer"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit-log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every write by a key or a person in the brand, newest first
         * @description For keys of a whole brand (and the deployment key, which reads every brand). Page with `before` (the last id seen).
         */
        get: operations["listAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/staff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Staff members within the caller’s scope */
        get: operations["listStaff"];
        put?: never;
        /**
         * Invite a staff member; the one-time link to set a password is returned to the inviter
         * @description Roles: brand_admin and marketer act like admin and marketer keys of their scope; store_manager and cashier work at one store (its till). The scope given must lie within the inviter’s.
         */
        post: operations["inviteStaff"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/staff/{id}/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new one-time link to set a password (earlier links stop working) */
        post: operations["resetStaffPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/staff/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a staff member: they are signed out everywhere at once and cannot sign in
         * @description By an admin within its scope, or by a store manager (signed in) for a cashier of their store.
         */
        delete: operations["revokeStaff"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/till-devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A store’s till devices */
        get: operations["listTillDevices"];
        put?: never;
        /**
         * Pair a shared till device with a store; its token is returned once
         * @description By the store’s manager (signed in) or an admin. The token alone lets the device only list the store’s cashiers and switch one in by PIN.
         */
        post: operations["pairTillDevice"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/till-devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a till device: it stops working and everyone switched in on it is signed out */
        delete: operations["revokeTillDevice"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/staff/me/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set your own PIN for switching in on the store’s till devices (signed-in staff only) */
        post: operations["setMyPin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/till/cashiers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who may switch in on this device (a device token only): names, never more */
        get: operations["listTillCashiers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/till/switch-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A cashier switches in on this device with their PIN; the answer is their till session token
         * @description Send the device token. Five wrong PINs rest that person for 15 minutes. The session acts as that person (pos role, this store) and ends with the device.
         */
        post: operations["switchInAtTill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys (never their secrets) */
        get: operations["listApiKeys"];
        put?: never;
        /**
         * Issue an API key (the key is returned once)
         * @description A key acts within a scope: its brand, and there a set of programs (programs) or, for a pos key, one store (storeId). A key can issue keys only within its own scope.
         */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key; it stops working at once */
        delete: operations["revokeApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The programs within the caller’s scope, by name (what a console offers to choose from) */
        get: operations["listPrograms"];
        put?: never;
        /** Create a loyalty program (defaults for everything but slug and name) */
        post: operations["createProgram"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a program */
        get: operations["getProgram"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a program; a change to what the cards show (name, terms, design, barcode, tiers) refreshes every pass */
        patch: operations["updateProgram"];
        trace?: never;
    };
    "/api/v1/programs/{slug}/automations/birthday": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set up the birthday message (with optional points), sent each day to those whose birthday it is
         * @description For marketers as for admins (the rest of the program is the admin’s). The program shows it as `birthdayAutomation`.
         */
        put: operations["setBirthdayAutomation"];
        post?: never;
        /** Turn the birthday message off */
        delete: operations["stopBirthdayAutomation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/automations/points-reminder": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set up the reminder of points about to expire
         * @description For marketers as for admins (the rest of the program is the admin’s). The program shows it as `pointsReminder`.
         */
        put: operations["setPointsReminder"];
        post?: never;
        /** Turn the points reminder off */
        delete: operations["stopPointsReminder"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/qr.svg": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The program's join QR code as SVG (for posters, table tents, receipts) */
        get: operations["getProgramQrSvg"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/qr.png": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The program's join QR code as PNG (for posters, table tents, receipts) */
        get: operations["getProgramQrPng"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a program's stores */
        get: operations["listStores"];
        put?: never;
        /** Add a store to a program */
        post: operations["createStore"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stores/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a store */
        get: operations["getStore"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a store (its location, beacons and relevant text are on the cards) */
        patch: operations["updateStore"];
        trace?: never;
    };
    "/api/v1/cards": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Find a program's cards: by phone in any format, card number, barcode or name; newest first
         * @description `q` of four or more digits matches phones containing them (and a full number written any way, e.g. 8 (916) 123-45-67), the card number or the barcode; other text matches part of the name or the whole barcode. No `q`: every card. Phones are masked and links left out (open the card for them). Pages of `limit` (25, at most 100); the next with `cursor` = `nextCursor`.
         */
        get: operations["listCards"];
        put?: never;
        /**
         * Enrol a customer and issue a card (the existing card for a known phone)
         * @description Idempotent per phone and program, even under concurrency. A pos key enrols in its own store. `sendSms` texts the card link; its outcome is reported in `sms`, never thrown. A known phone answers 200 with its card but without its links (they are bearer credentials: the link is texted to that phone instead), and its consents stay as they are.
         */
        post: operations["enrol"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a card with its customer */
        get: operations["getCard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Block a card (the till refuses it) or make it active again */
        patch: operations["setCardStatus"];
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/link/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Give the card a new personal link (card page, pass download); the old one stops working at once
         * @description By default the pass is revoked too: a new authentication token, and every device registered with the old one is forgotten (the old pass neither fetches nor registers again; the customer adds it from the new link). `pass: false` changes only the link.
         */
        post: operations["revokeCardLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/message": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set the card's message: the lock screen shows it (Apple changeMessage, Google message) */
        post: operations["setCardMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/sms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Text the customer their card's personal link
         * @description A custom `text` must contain {link}; {program} becomes the program name. Limits per phone (24 h) and per API key (1 h) answer 429 with Retry-After.
         */
        post: operations["sendCardLinkSms"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/points": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add or take points by hand (a goodwill gesture, a correction) */
        post: operations["adjustPoints"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/cards/{cardNumber}/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The card's ledger, newest first */
        get: operations["listCardTransactions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Erase a customer: personal data removed, card voided, ledger kept anonymised */
        delete: operations["eraseCustomer"];
        options?: never;
        head?: never;
        /** Change a customer's marketing consent (recorded with time and source) or weekly message limit */
        patch: operations["updateCustomerPreferences"];
        trace?: never;
    };
    "/api/v1/pos/managers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store's managers who can approve a refund above the program's limit with their PIN */
        get: operations["tillManagers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/enrolments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A new customer at the counter: texts a code to the phone they give (the card comes with the code)
         * @description The personal-data consent is the customer’s, given at the counter (`personalData: true`). Answers 429 when the code cannot be texted now.
         */
        post: operations["tillStartEnrolment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/enrolments/{verificationId}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The code the customer read out: their card (a new one, or the one the phone already has) */
        post: operations["tillConfirmEnrolment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/context": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This till: its store, program and who is working (what the till app starts with) */
        get: operations["tillContext"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/purchases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Today's purchases at this store, newest first (to choose one to refund) */
        get: operations["tillTodayPurchases"];
        put?: never;
        /**
         * A purchase: earn points on the part paid in money, optionally redeem points (within the program’s cap)
         * @description One short transaction. The same receiptId twice answers 409; the same Idempotency-Key with another body 422.
         */
        post: operations["tillPurchase"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Cards by part of the customer's phone: first name and the card's last digits, never the phone */
        get: operations["tillFindByPhone"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/cards/{barcode}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Look up a scanned card (barcode or typed card number) in this till’s program */
        get: operations["tillLookupCard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/receipts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A receipt rung up without a card: its total only, for the average check without the card
         * @description Idempotent like a purchase. A receiptId already recorded at the store (with a card or without) answers 409.
         */
        post: operations["tillReceipt"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pos/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A refund of a purchase, whole or in part: earned points are taken back, redeemed points returned */
        post: operations["tillRefund"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/segments/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Count an audience (members with marketing consent) and show a sample */
        post: operations["previewSegment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A program's campaigns and automation runs, newest first, with their delivery counts
         * @description Pages of `limit` (25, at most 100); the next page with `cursor` = `nextCursor` (null on the last page).
         */
        get: operations["listCampaigns"];
        put?: never;
        /**
         * Send a message (and optional bonus points) to a segment, now or at sendAt
         * @description Delivered through the cards’ message field within the frequency caps; GET the campaign for its counts.
         */
        post: operations["createCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign with its delivery counts */
        get: operations["getCampaign"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a scheduled campaign */
        post: operations["cancelCampaign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/birthday/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run the program's birthday greetings for a date (idempotent: a date runs once) */
        post: operations["runBirthdayAutomation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/automations/points-reminder/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remind the members whose points expire soon, for a date (idempotent per expiry date) */
        post: operations["runPointsReminder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The program's figures over a period, by day, week or month: cards, wallets, purchases, points
         * @description Every figure is defined in the README, "Analytics". Computed in the database at each call.
         */
        get: operations["programAnalytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/analytics/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The same series as CSV (one row per period, then the totals) */
        get: operations["exportProgramAnalytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a campaign earned: delivered per channel, conversion and revenue of recipients against the holdout, uplift */
        get: operations["campaignReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/report/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The campaign report as CSV */
        get: operations["exportCampaignReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/programs/{slug}/automations/{kind}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An automation's month: its runs pooled into one report, against their holdouts */
        get: operations["automationReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/restock-subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Subscribe a card to a back-in-stock notification
         * @description A pos key subscribes cards of its own program, at its own store by default.
         */
        post: operations["subscribeRestock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/restock-subscriptions/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A program's open subscriptions grouped by item, size and store, most wanted first
         * @description `size` null: any size; `storeId` null: any store. No customer is named: open a card for its subscriptions.
         */
        get: operations["summariseRestockSubscriptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/restock-subscriptions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancel a back-in-stock subscription */
        delete: operations["cancelRestockSubscription"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/restocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An item is back: every matching open subscription gets a card message, once
         * @description A pos key reports its own store. Subscriptions of blocked or voided cards are closed instead (cancelled).
         */
        post: operations["reportRestock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health of the service, its database and its wallet channels */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Brand: {
            /** Format: uuid */
            id: string;
            slug: string;
            name: string;
            privacyUrl: string | null;
            /** @description The sender id or number of the brand's texts (null: the deployment's) */
            smsSender: string | null;
            /** @description Appended on its own line to the brand's texts */
            smsSignature: string | null;
            /** Format: date-time */
            createdAt: string;
        };
        AppleIdentity: {
            passTypeIdentifier: string;
            teamIdentifier: string;
            /** Format: date-time */
            certificateNotAfter: string;
            /** Format: date-time */
            wwdrNotAfter: string;
            /**
             * @description deployment: the brand has none of its own and uses the deployment's
             * @enum {string}
             */
            source: "stored" | "files" | "deployment";
            updatedAt: string | null;
        };
        GoogleIssuer: {
            issuerId: string;
            clientEmail: string;
            /**
             * @description deployment: the brand has none of its own and uses the deployment's
             * @enum {string}
             */
            source: "stored" | "file" | "deployment";
            updatedAt: string | null;
        };
        AuditEntry: {
            id: number;
            /** Format: date-time */
            at: string;
            brandId: string | null;
            actor: {
                /** @enum {string} */
                kind: "deployment" | "key" | "staff";
                id: string;
                name: string;
                role: string;
            };
            /** @description the operation id, or a sign-in step (staff.signIn …) */
            action: string;
            /** @description what it reached, as the request named it */
            target: {
                [key: string]: string;
            }[];
            status: number | null;
            ip: string | null;
        };
        Staff: {
            /** Format: uuid */
            id: string;
            email: string;
            name: string;
            /** @enum {string} */
            role: "brand_admin" | "marketer" | "store_manager" | "cashier";
            programs: string[] | null;
            storeId: string | null;
            /** @enum {string} */
            status: "invited" | "active" | "revoked";
            /** Format: date-time */
            createdAt: string;
        };
        TillDevice: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            storeId: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
            lastSeenAt: string | null;
            revokedAt: string | null;
        };
        ApiKey: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "marketer" | "pos";
            storeId: string | null;
            /** @description the programs it is confined to; null: every program of its brand (or its store) */
            programs: string[] | null;
            keyPrefix: string;
            /** Format: date-time */
            createdAt: string;
            revokedAt?: string | null;
        };
        Program: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            brandId: string;
            slug: string;
            name: string;
            currency: string;
            earnPercent: number;
            maxRedeemPercent: number;
            welcomeBonus: number;
            tiers: {
                name: string;
                /** @description an amount in major units, e.g. "1000.00" */
                minSpend: string;
                earnPercent: number;
            }[];
            pointsExpireAfterMonths: number | null;
            timezone: string;
            design: string;
            /** @enum {string} */
            barcodeFormat: "QR" | "PDF417" | "CODE128";
            terms: string;
            privacyPolicyUrl: string | null;
            /** @description refunds above it need a store manager's PIN at the till */
            refundApprovalAbove: string | null;
            /** @description null: the join form asks for a texted code whenever texts can reach phones */
            verifyPhone: boolean | null;
            /** @description null: the deployment's DEFAULT_PHONE_REGION */
            phoneRegions: string[] | null;
            marketingCaps: {
                perDay: number;
                perWeek: number;
            };
            birthdayAutomation: {
                daysBefore: number;
                sendHour: number;
                bonusPoints: number;
                text: string;
                holdoutPercent: number;
            } | null;
            pointsReminder: {
                daysBefore: number;
                sendHour: number;
                text: string;
                holdoutPercent: number;
            } | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CreateProgram: {
            slug: string;
            name: string;
            currency?: string;
            earnPercent?: number;
            maxRedeemPercent?: number;
            welcomeBonus?: number;
            tiers?: {
                name: string;
                minSpend: string | number;
                earnPercent: number;
            }[];
            pointsExpireAfterMonths?: number | null;
            timezone?: string;
            design?: string;
            /** @enum {string} */
            barcodeFormat?: "QR" | "PDF417" | "CODE128";
            terms?: string;
            privacyPolicyUrl?: string | null;
            refundApprovalAbove?: string | number | null;
            verifyPhone?: boolean | null;
            phoneRegions?: string[] | null;
            marketingCaps?: {
                perDay: number;
                perWeek: number;
            };
            birthdayAutomation?: {
                /** @default 0 */
                daysBefore: number;
                /** @default 10 */
                sendHour: number;
                /** @default 0 */
                bonusPoints: number;
                text: string;
                /** @default 0 */
                holdoutPercent: number;
            } | null;
            pointsReminder?: {
                /** @default 14 */
                daysBefore: number;
                /** @default 11 */
                sendHour: number;
                text: string;
                /** @default 0 */
                holdoutPercent: number;
            } | null;
            /** @description the brand (default: the key's own; for the deployment key, the first brand) */
            brand?: string;
        };
        UpdateProgram: {
            name?: string;
            currency?: string;
            earnPercent?: number;
            maxRedeemPercent?: number;
            welcomeBonus?: number;
            tiers?: {
                name: string;
                minSpend: string | number;
                earnPercent: number;
            }[];
            pointsExpireAfterMonths?: number | null;
            timezone?: string;
            design?: string;
            /** @enum {string} */
            barcodeFormat?: "QR" | "PDF417" | "CODE128";
            terms?: string;
            privacyPolicyUrl?: string | null;
            refundApprovalAbove?: string | number | null;
            verifyPhone?: boolean | null;
            phoneRegions?: string[] | null;
            marketingCaps?: {
                perDay: number;
                perWeek: number;
            };
            birthdayAutomation?: {
                /** @default 0 */
                daysBefore: number;
                /** @default 10 */
                sendHour: number;
                /** @default 0 */
                bonusPoints: number;
                text: string;
                /** @default 0 */
                holdoutPercent: number;
            } | null;
            pointsReminder?: {
                /** @default 14 */
                daysBefore: number;
                /** @default 11 */
                sendHour: number;
                text: string;
                /** @default 0 */
                holdoutPercent: number;
            } | null;
        };
        BirthdayAutomation: {
            /** @default 0 */
            daysBefore: number;
            /** @default 10 */
            sendHour: number;
            /** @default 0 */
            bonusPoints: number;
            text: string;
            /** @default 0 */
            holdoutPercent: number;
        };
        PointsReminder: {
            /** @default 14 */
            daysBefore: number;
            /** @default 11 */
            sendHour: number;
            text: string;
            /** @default 0 */
            holdoutPercent: number;
        };
        Store: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            programId: string;
            name: string;
            address: string;
            latitude: number;
            longitude: number;
            relevantText: string | null;
            beacons: {
                proximityUUID: string;
                major?: number;
                minor?: number;
                relevantText?: string;
            }[];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CreateStore: {
            program: string;
            name: string;
            /** @default  */
            address: string;
            latitude: number;
            longitude: number;
            relevantText?: string | null;
            /** @default [] */
            beacons: {
                /** Format: uuid */
                proximityUUID: string;
                major?: number;
                minor?: number;
                relevantText?: string;
            }[];
        };
        UpdateStore: {
            name?: string;
            address?: string;
            latitude?: number;
            longitude?: number;
            relevantText?: string | null;
            beacons?: {
                /** Format: uuid */
                proximityUUID: string;
                major?: number;
                minor?: number;
                relevantText?: string;
            }[];
        };
        Customer: {
            /** Format: uuid */
            id: string;
            name: string | null;
            phone: string | null;
            email: string | null;
            birthday: string | null;
            homeStoreId: string | null;
            marketingConsent: boolean;
            erasedAt: string | null;
        };
        Enrolment: {
            program: string;
            customer: {
                name: string;
                phone: string;
                /** Format: date */
                birthday?: string;
                /** Format: email */
                email?: string;
            };
            consent: {
                /** @constant */
                personalData: true;
                /** @default false */
                marketing: boolean;
            };
            /** Format: uuid */
            homeStoreId?: string;
            /** @enum {string} */
            source?: "api" | "pos" | "qr" | "sms" | "poster" | "web" | "till";
            /** @default false */
            sendSms: boolean;
            /**
             * @default ru
             * @enum {string}
             */
            lang: "ru" | "en";
        };
        CardSummary: {
            cardNumber: string;
            status: string;
            tier: string;
            balance: number;
            /** Format: date-time */
            createdAt: string;
            customer: {
                /** Format: uuid */
                id: string;
                name: string | null;
                /** @description masked (+7916*****67): the full number is on the card (GET /cards/{cardNumber}) */
                phone: string | null;
                erased: boolean;
            };
        };
        Card: {
            cardNumber: string;
            serialNumber: string;
            barcode: string;
            /** @enum {string} */
            status: "active" | "blocked" | "voided";
            balance: number;
            tier: string;
            message: string | null;
            /** Format: uuid */
            customerId: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description page: the personal card page; apple: the .pkpass; google: the save link (null when off) */
            links: {
                [key: string]: string | null;
            };
            /** @description on GET only */
            customer?: components["schemas"]["Customer"];
        };
        Campaign: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            kind: "broadcast" | "birthday" | "reminder";
            /** @enum {string} */
            status: "scheduled" | "running" | "completed" | "cancelled";
            message: string;
            audience: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            sendAt: string;
            bonusPoints: number;
            holdoutPercent: number;
            attributionDays: number;
            /** Format: date-time */
            createdAt: string;
            startedAt: string | null;
            completedAt: string | null;
            counts: {
                targeted: number;
                sent: number;
                sentApple: number;
                sentGoogle: number;
                /** @description sent, but in no wallet: no Apple device registered, no Google object saved */
                notDelivered: number;
                /** @description kept out as the control group */
                holdout: number;
                pending: number;
                skippedConsent: number;
                skippedFrequencyCap: number;
                skippedCardStatus: number;
                /** @description Google's 3-a-day budget was spent: the message went to the card silently */
                googleSilent: number;
                failed: number;
            };
        };
        ProgramAnalytics: {
            program: string;
            currency: string;
            timezone: string;
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            /** @enum {string} */
            groupBy: "day" | "week" | "month";
            storeId: string | null;
            series: {
                cardsIssued: {
                    total: number;
                    bySource: {
                        [key: string]: number;
                    };
                    byStore: {
                        [key: string]: number;
                    };
                };
                wallets: {
                    apple: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                    google: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                    android: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                };
                activeCustomers: number;
                repeatCustomers: number;
                repeatRate: number | null;
                purchases: number;
                /** @description in the program currency */
                revenue: string;
                averageCheck: string | null;
                receiptsWithoutCard: number;
                /** @description in the program currency */
                revenueWithoutCard: string;
                averageCheckWithoutCard: string | null;
                points: {
                    issued: number;
                    redeemed: number;
                    expired: number;
                    takenBack: number;
                    adjusted: number;
                    liabilityAtEnd: number;
                };
                /**
                 * Format: date
                 * @description first day of the bucket
                 */
                period: string;
            }[];
            totals: {
                cardsIssued: {
                    total: number;
                    bySource: {
                        [key: string]: number;
                    };
                    byStore: {
                        [key: string]: number;
                    };
                };
                wallets: {
                    apple: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                    google: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                    android: {
                        installs: number;
                        removals: number;
                        /** @description cards with the pass in this wallet at the end */
                        atEnd: number;
                    };
                };
                activeCustomers: number;
                repeatCustomers: number;
                repeatRate: number | null;
                purchases: number;
                /** @description in the program currency */
                revenue: string;
                averageCheck: string | null;
                receiptsWithoutCard: number;
                /** @description in the program currency */
                revenueWithoutCard: string;
                averageCheckWithoutCard: string | null;
                points: {
                    issued: number;
                    redeemed: number;
                    expired: number;
                    takenBack: number;
                    adjusted: number;
                    liabilityAtEnd: number;
                };
            };
        };
        AttributionReport: {
            campaigns: string[];
            window: {
                days: number;
                from: string | null;
                to: string | null;
                complete: boolean;
            };
            audience: number;
            holdout: number;
            recipients: number;
            delivered: {
                appleDevice: number;
                googleNotified: number;
                googleSilent: number;
                notDelivered: number;
                skipped: number;
                pending: number;
            };
            conversion: {
                recipients: {
                    members: number;
                    converted: number;
                    conversionRate: number | null;
                    /** @description in the program currency */
                    revenue: string;
                    revenuePerMember: string | null;
                };
                holdout: {
                    members: number;
                    converted: number;
                    conversionRate: number | null;
                    /** @description in the program currency */
                    revenue: string;
                    revenuePerMember: string | null;
                };
                /** @description conversion rate, recipients − holdout, with its 95 % interval */
                uplift: {
                    value: number;
                    low: number;
                    high: number;
                } | null;
                revenuePerMemberUplift: {
                    /** @description in the program currency */
                    value: string;
                    /** @description in the program currency */
                    low: string;
                    /** @description in the program currency */
                    high: string;
                } | null;
            };
            pointsGranted: number;
        };
        RestockGroup: {
            sku: string;
            title: string;
            size: string | null;
            storeId: string | null;
            open: number;
            /** Format: date-time */
            oldestAt: string;
        };
        RestockSubscription: {
            /** Format: uuid */
            id: string;
            program: string;
            cardNumber: string;
            sku: string;
            size: string | null;
            storeId: string | null;
            title: string;
            /** @enum {string} */
            status: "open" | "notified" | "cancelled";
            /** Format: date-time */
            createdAt: string;
            notifiedAt: string | null;
            cancelledAt: string | null;
            restockId: string | null;
            /**
             * Format: uri
             * @description the customer’s link to stop this notification
             */
            unsubscribeUrl: string;
        };
        Problem: {
            /** Format: uri */
            type: string;
            title: string;
            status: number;
            detail: string;
            /** @description For 400: each offending field */
            errors?: {
                field: string;
                message: string;
            }[];
        };
    };
    responses: {
        /** @description Invalid request: every offending field is named in `errors` */
        400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No API key, or an unknown or revoked one */
        401: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The key's role may not call this operation */
        403: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Not found */
        404: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Conflict with the current state */
        409: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Error */
        410: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Well-formed but refused (a rule of the program, or an Idempotency-Key reused for another request) */
        422: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Rate limit reached; Retry-After says when to try again */
        429: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description An upstream gateway refused or could not be reached */
        502: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listBrands: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The brands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Brand"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    createBrand: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    slug: string;
                    name: string;
                    /** Format: uri */
                    privacyUrl?: string;
                };
            };
        };
        responses: {
            /** @description The brand */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Brand"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    getBrand: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The brand */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Brand"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    updateBrand: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    name?: string;
                    privacyUrl?: string | null;
                    smsSender?: string | null;
                    smsSignature?: string | null;
                };
            };
        };
        responses: {
            /** @description The brand */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Brand"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    getAppleIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The identity */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppleIdentity"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    setAppleIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description Checked against the certificate's (taken from it when absent) */
                    passTypeIdentifier?: string;
                    teamIdentifier?: string;
                    /** @description The Pass Type ID certificate (PEM) */
                    certificatePem?: string;
                    /** @description Its private key (PEM); sealed with SECRETS_KEY, never returned */
                    keyPem?: string;
                    keyPassphrase?: string;
                    /** @description The Apple WWDR intermediate that issued it (G4) */
                    wwdrPem?: string;
                    /** @description Paths on the server instead of the PEMs (deployment key only) */
                    files?: {
                        certificate: string;
                        key: string;
                        wwdr: string;
                        keyPassphrase?: string;
                    };
                };
            };
        };
        responses: {
            /** @description The identity */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppleIdentity"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    removeAppleIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    getGoogleIssuer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The issuer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GoogleIssuer"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    setGoogleIssuer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The issuer the service account is authorised for */
                    issuerId: string;
                    /** @description The service account's JSON key as Google gives it; sealed with SECRETS_KEY, never returned */
                    serviceAccount?: {
                        client_email: string;
                        private_key: string;
                    } & {
                        [key: string]: unknown;
                    };
                    /** @description The key file's path on the server instead (deployment key only) */
                    file?: string;
                };
            };
        };
        responses: {
            /** @description The issuer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GoogleIssuer"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    removeGoogleIssuer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                brand: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    listAuditLog: {
        parameters: {
            query?: {
                /** @description a key id, "staff:<id>" or "bootstrap" */
                actor?: string;
                action?: string;
                from?: string;
                to?: string;
                before?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["AuditEntry"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    listStaff: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Staff */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Staff"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    inviteStaff: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    name: string;
                    /** @enum {string} */
                    role: "brand_admin" | "marketer" | "store_manager" | "cashier";
                    /** @description deployment key only: the brand (default: that of the store or programs, else the first) */
                    brand?: string;
                    /** @description confine them to these programs (default: the whole brand) */
                    programs?: string[];
                    /**
                     * Format: uuid
                     * @description required for store managers and cashiers: their store
                     */
                    storeId?: string;
                };
            };
        };
        responses: {
            /** @description The staff member and their invitation link */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        staff: components["schemas"]["Staff"];
                        invitation: {
                            /**
                             * Format: uri
                             * @description one-time: opens the page where they set a password
                             */
                            url: string;
                            /** Format: date-time */
                            expiresAt: string;
                            /** @description the link was e-mailed to the person (SMTP configured and the server took it) */
                            emailed: boolean;
                        };
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    resetStaffPassword: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        link: {
                            /**
                             * Format: uri
                             * @description one-time: opens the page where they set a password
                             */
                            url: string;
                            /** Format: date-time */
                            expiresAt: string;
                            /** @description the link was e-mailed to the person (SMTP configured and the server took it) */
                            emailed: boolean;
                        };
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    revokeStaff: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    listTillDevices: {
        parameters: {
            query: {
                storeId: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Devices, revoked ones included */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["TillDevice"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    pairTillDevice: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    storeId: string;
                    name: string;
                };
            };
        };
        responses: {
            /** @description The device and its token */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        device: components["schemas"]["TillDevice"];
                        token: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    revokeTillDevice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    setMyPin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    pin: string;
                };
            };
        };
        responses: {
            /** @description Set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    listTillCashiers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cashiers and managers of the store with a PIN */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            role: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    switchInAtTill: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    staffId: string;
                    pin: string;
                };
            };
        };
        responses: {
            /** @description The session: send it as "Authorization: Bearer <token>" */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        token: string;
                        /** Format: date-time */
                        expiresAt: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            429: components["responses"]["429"];
        };
    };
    listApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every key within the caller’s scope, revoked ones included */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ApiKey"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    role: "admin" | "marketer" | "pos";
                    /** @description the brand (deployment keys only; default: the first brand); a brand key issues keys of its own brand */
                    brand?: string;
                    /** @description confine the key to these programs of the brand (default: all of them) */
                    programs?: string[];
                    /** Format: uuid */
                    storeId?: string;
                };
            };
        };
        responses: {
            /** @description The key, with its secret `key` shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        /** @enum {string} */
                        role: "admin" | "marketer" | "pos";
                        storeId: string | null;
                        /** @description the programs it is confined to; null: every program of its brand (or its store) */
                        programs: string[] | null;
                        keyPrefix: string;
                        /** Format: date-time */
                        createdAt: string;
                        revokedAt?: string | null;
                        key: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    revokeApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    listPrograms: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The programs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Program"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    createProgram: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateProgram"];
            };
        };
        responses: {
            /** @description The program */
            201: {
                headers: {
                    /** @description The program */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    getProgram: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    updateProgram: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["UpdateProgram"];
            };
        };
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    setBirthdayAutomation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BirthdayAutomation"];
            };
        };
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    stopBirthdayAutomation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    setPointsReminder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PointsReminder"];
            };
        };
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    stopPointsReminder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The program */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Program"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    getProgramQrSvg: {
        parameters: {
            query?: {
                store?: string;
                src?: "qr" | "sms" | "poster" | "till";
                size?: number;
            };
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    /** @description Changes when the code does */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/svg+xml": string;
                };
            };
            /** @description Not modified (If-None-Match) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    getProgramQrPng: {
        parameters: {
            query?: {
                store?: string;
                src?: "qr" | "sms" | "poster" | "till";
                size?: number;
            };
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    /** @description Changes when the code does */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "image/png": string;
                };
            };
            /** @description Not modified (If-None-Match) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    listStores: {
        parameters: {
            query: {
                /** @description the program slug */
                program: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stores, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Store"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    createStore: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateStore"];
            };
        };
        responses: {
            /** @description The store */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Store"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    getStore: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The store */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Store"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    updateStore: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["UpdateStore"];
            };
        };
        responses: {
            /** @description The store */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Store"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    listCards: {
        parameters: {
            query: {
                /** @description the program slug */
                program: string;
                q?: string;
                status?: "active" | "blocked" | "voided";
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of cards */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["CardSummary"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    enrol: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Enrolment"];
            };
        };
        responses: {
            /** @description The existing card of this phone */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cardNumber: string;
                        serialNumber: string;
                        barcode: string;
                        /** @enum {string} */
                        status: "active" | "blocked" | "voided";
                        balance: number;
                        tier: string;
                        message: string | null;
                        /** Format: uuid */
                        customerId: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description page: the personal card page; apple: the .pkpass; google: the save link (null when off) */
                        links: {
                            [key: string]: string | null;
                        };
                        /** @description on GET only */
                        customer?: components["schemas"]["Customer"];
                        /** @constant */
                        created: false;
                        sms?: {
                            status: string;
                            segments?: number;
                            error?: string;
                        };
                    };
                };
            };
            /** @description A new card */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cardNumber: string;
                        serialNumber: string;
                        barcode: string;
                        /** @enum {string} */
                        status: "active" | "blocked" | "voided";
                        balance: number;
                        tier: string;
                        message: string | null;
                        /** Format: uuid */
                        customerId: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description page: the personal card page; apple: the .pkpass; google: the save link (null when off) */
                        links: {
                            [key: string]: string | null;
                        };
                        /** @description on GET only */
                        customer?: components["schemas"]["Customer"];
                        /** @constant */
                        created: true;
                        sms?: {
                            status: string;
                            segments?: number;
                            error?: string;
                        };
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    getCard: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The card */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Card"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    setCardStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    status: "active" | "blocked";
                };
            };
        };
        responses: {
            /** @description The card */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Card"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    revokeCardLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @default true */
                    pass?: boolean;
                };
            };
        };
        responses: {
            /** @description The card with its new links */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Card"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    setCardMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    text: string;
                };
            };
        };
        responses: {
            /** @description The card; the wallets are being updated */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Card"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    sendCardLinkSms: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    text?: string;
                    /**
                     * @description language of the default text
                     * @default ru
                     * @enum {string}
                     */
                    lang?: "ru" | "en";
                };
            };
        };
        responses: {
            /** @description Accepted by the SMS gateway */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        status: string;
                        segments: number;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
            429: components["responses"]["429"];
            502: components["responses"]["502"];
        };
    };
    adjustPoints: {
        parameters: {
            query?: never;
            header: {
                /** @description A unique id per attempt (8–200 of A–Z a–z 0–9 _ - . :), reused on retry: a retry returns the first answer and changes nothing. */
                "Idempotency-Key": string;
            };
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    points: number;
                    reason: string;
                };
            };
        };
        responses: {
            /** @description The new balance (a retry with the same Idempotency-Key returns the first answer; Idempotent-Replayed says so) */
            201: {
                headers: {
                    /** @description true when this is the stored answer of an earlier attempt */
                    "Idempotent-Replayed"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        points: number;
                        balance: number;
                        tier: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
            422: components["responses"]["422"];
        };
    };
    listCardTransactions: {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextBefore of the previous page */
                before?: number;
            };
            header?: never;
            path: {
                /** @description the 13-digit card number */
                cardNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: number;
                            kind: string;
                            points: number;
                            amount: string | null;
                            storeId: string | null;
                            receiptId: string | null;
                            reason: string | null;
                            /** @description who rang the purchase up (purchase entries) */
                            cashier: string | null;
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                        nextBefore: number | null;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    eraseCustomer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased (erasing again changes nothing) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    updateCustomerPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    marketingConsent?: boolean;
                    maxMessagesPerWeek?: number | null;
                    /** @default api */
                    source?: string;
                };
            };
        };
        responses: {
            /** @description The preferences */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        marketingConsent: boolean;
                        maxMessagesPerWeek: number | null;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    tillManagers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The managers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    tillStartEnrolment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    phone: string;
                    /** Format: date */
                    birthday?: string;
                    /** @constant */
                    personalData: true;
                    /** @default false */
                    marketing?: boolean;
                    /**
                     * @default ru
                     * @enum {string}
                     */
                    lang?: "ru" | "en";
                };
            };
        };
        responses: {
            /** @description The code is on its way */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        verificationId: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            429: components["responses"]["429"];
        };
    };
    tillConfirmEnrolment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                verificationId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description The card the phone already had */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created: boolean;
                        cardNumber: string;
                        firstName: string;
                        tier: string;
                        balance: number;
                    };
                };
            };
            /** @description A new card */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created: boolean;
                        cardNumber: string;
                        firstName: string;
                        tier: string;
                        balance: number;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            410: components["responses"]["410"];
        };
    };
    tillContext: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The till */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        store: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                        };
                        program: {
                            slug: string;
                            name: string;
                            currency: string;
                            barcodeFormat: string;
                            maxRedeemPercent: number;
                        };
                        cashier: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    tillTodayPurchases: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The purchases */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            purchaseId: number;
                            receiptId: string;
                            /** Format: date-time */
                            at: string;
                            amount: string;
                            refunded: string;
                            earned: number;
                            redeemed: number;
                            cardLast4: string;
                            cashier: string | null;
                        }[];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    tillPurchase: {
        parameters: {
            query?: never;
            header: {
                /** @description A unique id per attempt (8–200 of A–Z a–z 0–9 _ - . :), reused on retry: a retry returns the first answer and changes nothing. */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    barcode: string;
                    receiptId: string;
                    amount: string | number;
                    /** @default 0 */
                    redeemPoints?: number;
                };
            };
        };
        responses: {
            /** @description The purchase */
            201: {
                headers: {
                    /** @description true when this is the stored answer of an earlier attempt with this Idempotency-Key */
                    "Idempotent-Replayed"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        purchaseId: number;
                        earned: number;
                        redeemed: number;
                        balance: number;
                        tier: string;
                        tierChanged: boolean;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
            422: components["responses"]["422"];
        };
    };
    tillFindByPhone: {
        parameters: {
            query: {
                phone: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description At most five cards */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            cardNumber: string;
                            cardLast4: string;
                            firstName: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            429: components["responses"]["429"];
        };
    };
    tillLookupCard: {
        parameters: {
            query?: {
                /** @description the purchase amount: the answer then says how many points may be redeemed on it */
                amount?: string | number;
            };
            header?: never;
            path: {
                barcode: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The card */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cardNumber: string;
                        firstName: string;
                        tier: string;
                        balance: number;
                        maxRedeemPoints?: number;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    tillReceipt: {
        parameters: {
            query?: never;
            header: {
                /** @description A unique id per attempt (8–200 of A–Z a–z 0–9 _ - . :), reused on retry: a retry returns the first answer and changes nothing. */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    receiptId: string;
                    amount: string | number;
                };
            };
        };
        responses: {
            /** @description The receipt */
            201: {
                headers: {
                    /** @description true when this is the stored answer of an earlier attempt with this Idempotency-Key */
                    "Idempotent-Replayed"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        receiptId: string;
                        amount: string;
                        /** Format: date-time */
                        recordedAt: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
            422: components["responses"]["422"];
        };
    };
    tillRefund: {
        parameters: {
            query?: never;
            header: {
                /** @description A unique id per attempt (8–200 of A–Z a–z 0–9 _ - . :), reused on retry: a retry returns the first answer and changes nothing. */
                "Idempotency-Key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    receiptId: string;
                    amount?: string | number;
                    approval?: {
                        /** Format: uuid */
                        staffId: string;
                        pin: string;
                    };
                };
            };
        };
        responses: {
            /** @description The refund; unrecoveredPoints are earned points already spent */
            201: {
                headers: {
                    /** @description true when this is the stored answer of an earlier attempt with this Idempotency-Key */
                    "Idempotent-Replayed"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        refunded: string;
                        pointsReturned: number;
                        pointsTakenBack: number;
                        unrecoveredPoints: number;
                        balance: number;
                        tier: string;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
            422: components["responses"]["422"];
        };
    };
    previewSegment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    program: string;
                    /** @default {} */
                    audience?: {
                        tiers?: string[];
                        homeStoreIds?: string[];
                        enrolledWithinDays?: number;
                        activeWithinDays?: number;
                        sleepingForDays?: number;
                        birthdayBetween?: {
                            from: string;
                            to: string;
                        };
                        balanceAbove?: number;
                        inAppleWallet?: boolean;
                        inGoogleWallet?: boolean;
                        /** Format: date */
                        pointsExpiringOn?: string;
                    };
                };
            };
        };
        responses: {
            /** @description The audience */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description members with marketing consent */
                        count: number;
                        withoutConsent: number;
                        sample: {
                            cardNumber: string;
                            firstName: string;
                            tier: string;
                            balance: number;
                        }[];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    listCampaigns: {
        parameters: {
            query: {
                /** @description the program slug */
                program: string;
                status?: "scheduled" | "running" | "completed" | "cancelled";
                kind?: "broadcast" | "birthday" | "reminder";
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of campaigns */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Campaign"][];
                        nextCursor: string | null;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    createCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    program: string;
                    message: string;
                    /** @default {} */
                    audience?: {
                        tiers?: string[];
                        homeStoreIds?: string[];
                        enrolledWithinDays?: number;
                        activeWithinDays?: number;
                        sleepingForDays?: number;
                        birthdayBetween?: {
                            from: string;
                            to: string;
                        };
                        balanceAbove?: number;
                        inAppleWallet?: boolean;
                        inGoogleWallet?: boolean;
                        /** Format: date */
                        pointsExpiringOn?: string;
                    };
                    /** Format: date-time */
                    sendAt?: string;
                    /** @default 0 */
                    bonusPoints?: number;
                    /** @default 0 */
                    holdoutPercent?: number;
                    /** @default 7 */
                    attributionDays?: number;
                };
            };
        };
        responses: {
            /** @description The campaign, scheduled or running */
            202: {
                headers: {
                    /** @description The campaign */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Campaign"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    getCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The campaign */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Campaign"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    cancelCampaign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The campaign, cancelled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Campaign"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    runBirthdayAutomation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    program: string;
                    /** Format: date */
                    date: string;
                };
            };
        };
        responses: {
            /** @description The campaign of that date */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        campaignId: string;
                        /**
                         * Format: date
                         * @description the birthday greeted (run date + daysBefore)
                         */
                        birthday: string;
                        created: boolean;
                        campaign: components["schemas"]["Campaign"];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    runPointsReminder: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    program: string;
                    /** Format: date */
                    date: string;
                };
            };
        };
        responses: {
            /** @description The campaign of that date */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        campaignId: string;
                        expiresOn: string;
                        created: boolean;
                        campaign: components["schemas"]["Campaign"];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            409: components["responses"]["409"];
        };
    };
    programAnalytics: {
        parameters: {
            query: {
                /** @description first day, in the program's time zone */
                from: string;
                /** @description last day (inclusive) */
                to: string;
                groupBy?: "day" | "week" | "month";
                /** @description one store: its purchases, receipts, points and the cards issued there */
                store?: string;
            };
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series and the totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProgramAnalytics"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    exportProgramAnalytics: {
        parameters: {
            query: {
                /** @description first day, in the program's time zone */
                from: string;
                /** @description last day (inclusive) */
                to: string;
                groupBy?: "day" | "week" | "month";
                /** @description one store: its purchases, receipts, points and the cards issued there */
                store?: string;
            };
            header?: never;
            path: {
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    campaignReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttributionReport"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    exportCampaignReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    automationReport: {
        parameters: {
            query: {
                month: string;
            };
            header?: never;
            path: {
                slug: string;
                kind: "birthday" | "points-reminder";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttributionReport"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
        };
    };
    subscribeRestock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cardNumber: string;
                    sku: string;
                    size?: string | null;
                    storeId?: string | null;
                    title: string;
                };
            };
        };
        responses: {
            /** @description The open subscription the card already had for this sku, size and store */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        program: string;
                        cardNumber: string;
                        sku: string;
                        size: string | null;
                        storeId: string | null;
                        title: string;
                        /** @enum {string} */
                        status: "open" | "notified" | "cancelled";
                        /** Format: date-time */
                        createdAt: string;
                        notifiedAt: string | null;
                        cancelledAt: string | null;
                        restockId: string | null;
                        /**
                         * Format: uri
                         * @description the customer’s link to stop this notification
                         */
                        unsubscribeUrl: string;
                        /** @constant */
                        created: false;
                    };
                };
            };
            /** @description The new subscription */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        program: string;
                        cardNumber: string;
                        sku: string;
                        size: string | null;
                        storeId: string | null;
                        title: string;
                        /** @enum {string} */
                        status: "open" | "notified" | "cancelled";
                        /** Format: date-time */
                        createdAt: string;
                        notifiedAt: string | null;
                        cancelledAt: string | null;
                        restockId: string | null;
                        /**
                         * Format: uri
                         * @description the customer’s link to stop this notification
                         */
                        unsubscribeUrl: string;
                        /** @constant */
                        created: true;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    summariseRestockSubscriptions: {
        parameters: {
            query: {
                /** @description the program slug */
                program: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The groups */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["RestockGroup"][];
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    cancelRestockSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The subscription, cancelled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RestockSubscription"];
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
            404: components["responses"]["404"];
            409: components["responses"]["409"];
        };
    };
    reportRestock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    program: string;
                    sku: string;
                    size?: string | null;
                    storeId?: string | null;
                    /**
                     * @default ru
                     * @enum {string}
                     */
                    lang?: "ru" | "en";
                };
            };
        };
        responses: {
            /** @description What the restock did */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        restockId: string;
                        notified: number;
                        cancelled: number;
                    };
                };
            };
            400: components["responses"]["400"];
            401: components["responses"]["401"];
            403: components["responses"]["403"];
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Health */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "unavailable";
                        database: {
                            /** @enum {string} */
                            kind?: "postgres" | "pglite";
                            /** @enum {string} */
                            status?: "ok" | "unreachable";
                        };
                        /** @description Per wallet channel: healthy; for apple also certificateDaysLeft, wwdrDaysLeft and apns {state: ok | failing | paused, failedPushesLastHour}; for google (once any issuer exists) state (ok | paused: Google refuses the service account of an issuer), issuers, reason, pausedUntil and paused [{issuerId, reason, pausedUntil}] per refused issuer, and throttled (the request rate is reduced after 429s) */
                        wallets?: {
                            [key: string]: {
                                healthy: boolean;
                            };
                        };
                    };
                };
            };
            /** @description The database is unreachable, or a wallet channel cannot sign or deliver */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok" | "unavailable";
                        database: {
                            /** @enum {string} */
                            kind?: "postgres" | "pglite";
                            /** @enum {string} */
                            status?: "ok" | "unreachable";
                        };
                        /** @description Per wallet channel: healthy; for apple also certificateDaysLeft, wwdrDaysLeft and apns {state: ok | failing | paused, failedPushesLastHour}; for google (once any issuer exists) state (ok | paused: Google refuses the service account of an issuer), issuers, reason, pausedUntil and paused [{issuerId, reason, pausedUntil}] per refused issuer, and throttled (the request rate is reduced after 429s) */
                        wallets?: {
                            [key: string]: {
                                healthy: boolean;
                            };
                        };
                    };
                };
            };
        };
    };
}
