// Post step of octo-sts/action/portable: revoke the token through the same binary (see run.js).
'use strict';
require('./run.js').post();
