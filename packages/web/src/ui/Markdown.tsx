import ReactMarkdown, { type Components } from "react-markdown";

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
};

/**
 * An agent's message as markdown. NO raw HTML: without rehype-raw, react-markdown turns HTML in
 * the text into plain text (escaped by React), so `<img onerror=…>` shows as the characters the
 * agent wrote and never becomes an element; its default URL filter removes `javascript:` links.
 * (Not `skipHtml`: that drops the HTML, so "replaced <br> with CSS" would lose its words.)
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown components={components}>{text}</ReactMarkdown>
    </div>
  );
}
