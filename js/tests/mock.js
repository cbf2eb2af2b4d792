// A jsdom document per test and the part of anywidget's model that render() uses, for the tests of
// the runs table, the past-run header and the cluster in the header.

import { afterEach, beforeEach } from "node:test";

import { JSDOM } from "jsdom";

export class MockModel {
  constructor(view) {
    this.state = { view };
    this.listeners = new Map();
    this.sent = [];
  }

  get(key) {
    return this.state[key];
  }

  /** Set a synced value and fire its change event, as a message from the kernel would. */
  set(key, value) {
    this.state[key] = value;
    for (const callback of [...(this.listeners.get(`change:${key}`) ?? [])]) callback();
  }

  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }

  off(event, callback) {
    this.listeners.get(event)?.delete(callback);
  }

  send(message) {
    this.sent.push(message);
  }
}

/** A fresh document; returns a function that closes it. */
export function openDocument() {
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  return () => {
    dom.window.close();
    delete globalThis.window;
    delete globalThis.document;
  };
}

/** What mount() drew and the test has not cleaned up yet. */
const drawn = [];

/** Each test of the calling file in a fresh document, closed after the test together with
 * whatever mount() drew in it. */
export function eachTestInAFreshDocument() {
  let close;
  beforeEach(() => {
    close = openDocument();
  });
  afterEach(() => {
    for (const cleanup of drawn.splice(0)) cleanup();
    close();
  });
}

/** `render` run on `view` in a new element of the document: { model, el, cleanup }; cleanup
 * (render's own, run once) may be called by the test, or runs when the test ends. */
export function mount(render, view) {
  const model = new MockModel(view);
  const el = document.createElement("div");
  document.body.append(el);
  const rendered = render({ model, el });
  let done = false;
  const cleanup = () => {
    if (!done) {
      done = true;
      rendered?.();
    }
  };
  drawn.push(cleanup);
  return { model, el, cleanup };
}
