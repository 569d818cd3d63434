// Main step of octo-sts/action/portable: verify and run the release binary (see run.js).
'use strict';
require('./run.js').main();
