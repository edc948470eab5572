import { DlError, encodePng, escapeHtml, imageGrid, labelColor, placeImagesAt, pngDataUri, pngFigure } from "@dl/tensor-core";
import type { ImageDataset, ReportSection, RgbaImage } from "@dl/tensor-core";

import { assignToGrid, greedyGridFill } from "./gridAssignment.js";
import type { GridAssignment } from "./gridAssignment.js";
import type { LayerEmbedding } from "./layerEmbeddings.js";

/** The images laid out cell by cell as assigned (empty cells stay black); grey or RGB. */
export function gridMosaic(images: Float32Array, height: number, width: number, grid: GridAssignment, channels: 1 | 3 = 1): RgbaImage {
  const per = height * width * channels;
  const cells = grid.columns * grid.rows;
  const tiles = new Float32Array(cells * per);
  for (let cell = 0; cell < cells; cell++) {
    const i = grid.pointOfCell[cell] as number;
    if (i >= 0) tiles.set(images.subarray(i * per, (i + 1) * per), cell * per);
  }
  return imageGrid(tiles, cells, height, width, { columns: grid.columns, padding: 0, channels });
}

/** Grey (1) or RGB (3): what the pictures can draw of a dataset. */
function pictureChannels(images: ImageDataset): 1 | 3 {
  if (images.channels !== 1 && images.channels !== 3) throw new DlError("NOT_SUPPORTED", `Pictures draw grey or RGB images, not ${images.channels} channels.`);
  return images.channels;
}

/** Images drawn at their embedded points (the classic t-SNE picture): grey ones tinted by class, colour ones framed by class. */
export function pointMosaic(embedding: Float32Array, images: ImageDataset, size = 1200): RgbaImage {
  return placeImagesAt(embedding, images.images, images.count, images.height, images.width, { width: size, height: size, labels: images.labels, channels: pictureChannels(images) });
}

/** An evenly spread subset of indices for grids (the optimal assignment is O(n³)). */
function spreadIndices(n: number, count: number): number[] {
  const step = n / count;
  return Array.from({ length: count }, (_, i) => Math.floor(i * step));
}

export interface GridComparison {
  optimal: GridAssignment;
  greedy: GridAssignment;
  /** Indices (into the dataset) of the points laid out. */
  indices: number[];
  /** Seconds the optimal assignment took. */
  optimalSeconds: number;
}

/** Optimal (Kuhn–Munkres) and greedy nearest-unused (Karpathy) grids for up to `maxPoints` points of an embedding. */
export function compareGrids(embedding: Float32Array, n: number, maxPoints = 1024): GridComparison {
  const indices = spreadIndices(n, Math.min(n, maxPoints));
  const pts = new Float64Array(indices.length * 2);
  indices.forEach((src, i) => {
    pts[2 * i] = embedding[2 * src] as number;
    pts[2 * i + 1] = embedding[2 * src + 1] as number;
  });
  const started = performance.now();
  const optimal = assignToGrid(pts, indices.length);
  const optimalSeconds = (performance.now() - started) / 1000;
  return { optimal, greedy: greedyGridFill(pts, indices.length), indices, optimalSeconds };
}

function subsetImages(images: ImageDataset, indices: number[]): Float32Array {
  const per = images.height * images.width * images.channels;
  const out = new Float32Array(indices.length * per);
  indices.forEach((src, i) => out.set(images.images.subarray(src * per, (src + 1) * per), i * per));
  return out;
}

/**
 * A self-contained page to explore the layer embeddings: a slider over layers, wheel zoom, drag to pan,
 * hover shows the image under the cursor with its label; images replace dots when zoomed in.
 */
export function explorerHtml(rows: readonly LayerEmbedding[], images: ImageDataset, title: string): string {
  const n = images.count;
  const columns = Math.ceil(Math.sqrt(n));
  const sprite = pngDataUri(encodePng(imageGrid(images.images, n, images.height, images.width, { columns, padding: 0, channels: pictureChannels(images) })));
  const data = {
    layers: rows.map((r) => ({ name: r.layer, acc: r.knnAccuracy, overlap: r.pixelOverlap, xy: Array.from(r.embedding, (v) => Math.round(v * 100) / 100) })),
    labels: Array.from(images.labels),
    classNames: images.classNames,
    columns,
    h: images.height,
    w: images.width,
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:16px;background:#fafafa}canvas{border:1px solid #ccc;background:#111;cursor:grab}#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #999;padding:4px;display:none}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<div>layer: <input id="layer" type="range" min="0" max="${rows.length - 1}" value="${rows.length - 1}"> <b id="name"></b> <span id="stats"></span></div>
<p>Scroll to zoom, drag to pan, hover for the image. Colours are classes.</p>
<canvas id="c" width="900" height="900"></canvas><div id="tip"><canvas id="tipimg" width="84" height="84"></canvas><div id="tiplabel"></div></div>
<script>
const D=${JSON.stringify(data)};
const sprite=new Image();sprite.src=${JSON.stringify(sprite)};
const pal=["#1f77b4","#ff7f0e","#2ca02c","#d62728","#9467bd","#8c564b","#e377c2","#7f7f7f","#bcbd22","#17becf"];
const c=document.getElementById("c"),g=c.getContext("2d"),slider=document.getElementById("layer");
let L=+slider.value,zoom=1,ox=0,oy=0,drag=null;
function bounds(xy){let a=1/0,b=-1/0,e=1/0,f=-1/0;for(let i=0;i<xy.length;i+=2){a=Math.min(a,xy[i]);b=Math.max(b,xy[i]);e=Math.min(e,xy[i+1]);f=Math.max(f,xy[i+1]);}return[a,b,e,f];}
function toScreen(x,y,bb){const s=Math.min(c.width/(bb[1]-bb[0]),c.height/(bb[3]-bb[2]))*0.95;return[(x-(bb[0]+bb[1])/2)*s*zoom+c.width/2+ox,-(y-(bb[2]+bb[3])/2)*s*zoom+c.height/2+oy];}
function draw(){const lay=D.layers[L],xy=lay.xy,bb=bounds(xy);g.clearRect(0,0,c.width,c.height);
document.getElementById("name").textContent=lay.name;document.getElementById("stats").textContent=" k-NN accuracy "+lay.acc.toFixed(3)+", pixel-neighbour overlap "+lay.overlap.toFixed(3);
const big=zoom>=3&&sprite.complete;for(let i=0;i<xy.length/2;i++){const[p,q]=toScreen(xy[2*i],xy[2*i+1],bb);if(p<-30||q<-30||p>c.width+30||q>c.height+30)continue;
if(big){const sx=(i%D.columns)*D.w,sy=Math.floor(i/D.columns)*D.h;g.drawImage(sprite,sx,sy,D.w,D.h,p-D.w/2,q-D.h/2,D.w,D.h);g.strokeStyle=pal[D.labels[i]%10];g.strokeRect(p-D.w/2,q-D.h/2,D.w,D.h);}
else{g.fillStyle=pal[D.labels[i]%10];g.fillRect(p-1.5,q-1.5,3,3);}}}
slider.oninput=()=>{L=+slider.value;draw();};
c.onwheel=(e)=>{e.preventDefault();const f=e.deltaY<0?1.25:0.8,r=c.getBoundingClientRect(),mx=e.clientX-r.left-c.width/2-ox,my=e.clientY-r.top-c.height/2-oy;ox-=mx*(f-1);oy-=my*(f-1);zoom*=f;draw();};
c.onmousedown=(e)=>{drag=[e.clientX-ox,e.clientY-oy];};window.onmouseup=()=>{drag=null;};
c.onmousemove=(e)=>{if(drag){ox=e.clientX-drag[0];oy=e.clientY-drag[1];draw();return;}const lay=D.layers[L],bb=bounds(lay.xy),r=c.getBoundingClientRect();let best=-1,bd=100;
for(let i=0;i<lay.xy.length/2;i++){const[p,q]=toScreen(lay.xy[2*i],lay.xy[2*i+1],bb);const d=(p-e.clientX+r.left)**2+(q-e.clientY+r.top)**2;if(d<bd){bd=d;best=i;}}
const tip=document.getElementById("tip");if(best<0){tip.style.display="none";return;}tip.style.display="block";tip.style.left=(e.clientX+12)+"px";tip.style.top=(e.clientY+12)+"px";
const t=document.getElementById("tipimg").getContext("2d");t.imageSmoothingEnabled=false;t.clearRect(0,0,84,84);t.drawImage(sprite,(best%D.columns)*D.w,Math.floor(best/D.columns)*D.h,D.w,D.h,0,0,84,84);
document.getElementById("tiplabel").textContent="#"+best+" "+(D.classNames[D.labels[best]]??D.labels[best]);};
c.onmouseleave=()=>{document.getElementById("tip").style.display="none";};
sprite.onload=draw;draw();
</script></body></html>`;
}

function fmt(v: number): string {
  return v.toFixed(3);
}

/** The class colours of the mosaics as an HTML legend (the pictures tint or frame each image by class). */
function classLegend(images: ImageDataset): string {
  const present = new Set(images.labels);
  const items = images.classNames
    .map((name, k) => (present.has(k) ? `<span style="display:inline-block;margin:0 12px 4px 0"><span style="display:inline-block;width:12px;height:12px;background:${labelColor(k)};vertical-align:middle;margin-right:4px"></span>${escapeHtml(name)}</span>` : ""))
    .join("");
  return `<p><strong>Class colours in the pictures:</strong> ${items}</p>`;
}

/** Report sections for layer embeddings: the per-layer table, pictures, both grids and the cnnembed comparison. */
export function layerEmbeddingSections(rows: readonly LayerEmbedding[], images: ImageDataset, options: { idPrefix?: string; mosaicSize?: number; gridPoints?: number; modelName?: string } = {}): ReportSection[] {
  const prefix = options.idPrefix ?? "embed";
  const last = rows[rows.length - 1];
  if (last === undefined) return [];
  const grids = compareGrids(last.embedding, images.count, options.gridPoints ?? 1024);
  const gridImages = subsetImages(images, grids.indices);
  const h = images.height;
  const w = images.width;
  const modelRows = rows.filter((r) => r.layer !== "pixels");
  const first = modelRows[0];
  const deepest = modelRows[modelRows.length - 1];
  const purityRises = first !== undefined && deepest !== undefined && deepest.knnAccuracy >= first.knnAccuracy;
  const overlapFalls = first !== undefined && deepest !== undefined && deepest.pixelOverlap <= first.pixelOverlap;
  const table = {
    caption: `Per layer, ${images.count} images (k = 10): semantic purity = leave-one-out k-NN label accuracy; pixel overlap = share of activation-space neighbours that are also pixel-space neighbours (pixel space: the ${images.height}×${images.width} images as drawn). Features: the layer's width, "(mean)" where its map was averaged over space.`,
    columns: ["layer", "features", "k-NN acc (2-D)", "k-NN acc (features)", "pixel overlap", "trustworthiness", "KL", "t-SNE s"],
    rows: rows.map((r) => [r.layer, r.reduction === "flatten" ? String(r.features) : `${r.features} (${r.reduction})`, fmt(r.knnAccuracy), fmt(r.featureKnnAccuracy), fmt(r.pixelOverlap), fmt(r.trustworthiness), fmt(r.kl), r.seconds.toFixed(1)]),
  };
  return [
    {
      id: `${prefix}-layers`,
      title: "What the layers see: t-SNE of activations, layer by layer",
      text:
        `Each row embeds the same ${images.count} images from a different depth of ${options.modelName ?? "the model"}; every embedding starts from the previous one and is rotated onto it (orthogonal Procrustes), so an image stays roughly in place while the layers regroup it.\n\n` +
        (first !== undefined && deepest !== undefined
          ? `Semantic purity ${purityRises ? "rises" : "does not rise"} with depth (k-NN accuracy ${fmt(first.knnAccuracy)} at ${first.layer} → ${fmt(deepest.knnAccuracy)} at ${deepest.layer}) while pixel-neighbour overlap ${overlapFalls ? "falls" : "does not fall"} (${fmt(first.pixelOverlap)} → ${fmt(deepest.pixelOverlap)}).`
          : ""),
      tables: [table],
      html: classLegend(images),
      figures: rows.map((r) => pngFigure(`mosaic-${r.layer}`, `${r.layer}: images at their t-SNE points (k-NN acc ${fmt(r.knnAccuracy)})`, pointMosaic(r.embedding, images, options.mosaicSize ?? 900))),
    },
    {
      id: `${prefix}-karpathy`,
      title: "Beside Karpathy's cnnembed",
      text:
        `cnnembed embeds one layer (fc7 codes of 50k ImageNet images) with Barnes–Hut t-SNE, draws the images at their points, and fills a grid by giving each cell the nearest image not used yet. Here every layer is embedded and aligned, the picture comes with measured semantic purity and pixel overlap, and the grid is an optimal one-to-one assignment (Kuhn–Munkres).\n\n` +
        `Grid of ${grids.indices.length} images from ${last.layer}: total squared displacement ${grids.optimal.cost.toFixed(3)} with the optimal assignment (${grids.optimalSeconds.toFixed(2)} s) versus ${grids.greedy.cost.toFixed(3)} with the nearest-unused fill (${((grids.greedy.cost / Math.max(grids.optimal.cost, 1e-12) - 1) * 100).toFixed(0)}% more), in unit-square coordinates.`,
      metrics: {
        "optimal grid cost": grids.optimal.cost,
        "greedy (cnnembed) grid cost": grids.greedy.cost,
        "grid images": grids.indices.length,
      },
      figures: [
        pngFigure("grid-optimal", "Optimal one-to-one grid (ours)", gridMosaic(gridImages, h, w, grids.optimal, pictureChannels(images)), { pixelated: true }),
        pngFigure("grid-greedy", "Nearest-unused fill (cnnembed)", gridMosaic(gridImages, h, w, grids.greedy, pictureChannels(images)), { pixelated: true }),
      ],
    },
  ];
}
