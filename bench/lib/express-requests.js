'use strict';
// Requests as Express 5 hands them to Nest, for the loops that time code on them without HTTP.
const { IncomingMessage } = require('node:http');
const express = require('express');

/**
 * One request per `Authorization` value: Node's IncomingMessage, its prototype swapped for the
 * app's request object, then given the properties Express's router adds. After such a swap V8 gives
 * each request a hidden class of its own at its next property write, so every read of a request is
 * a megamorphic lookup and every property added builds a new hidden class; plain objects hide that.
 */
function expressRequests(authorizations) {
  const app = express();
  return authorizations.map((authorization) => {
    const request = new IncomingMessage(null);
    request.url = '/me';
    request.method = 'GET';
    request.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization, 'Connection', 'keep-alive'];
    // What Node's parser would build on the first read (body-parser's, in a real app).
    request.headers = { host: '127.0.0.1', authorization, connection: 'keep-alive' };
    Object.setPrototypeOf(request, app.request);
    Object.assign(request, { res: {}, next() {}, baseUrl: '', originalUrl: '/me', params: {}, route: {} });
    return request;
  });
}

module.exports = { expressRequests };
